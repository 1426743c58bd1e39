using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Batch normalization (Ioffe and Szegedy; CS231n's <c>batchnorm_forward</c> and <c>batchnorm_backward_alt</c>) over a
/// row-major batch <c>[rows×cols]</c>: every column (unit) is normalized by the mean and variance of its column.
/// Called by generated code; not part of the user API.
/// </summary>
/// <remarks>
/// Every method works row by row with <see cref="TensorPrimitives"/>, vectorized across the columns. The per-column
/// vectors that only the kernel needs (scales, shares of dγ and dβ) live in a stack buffer of at most 256 columns;
/// wider layers are done 256 columns at a time, so nothing is allocated.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchNormKernels
{
    // Columns per stack buffer: 256 doubles are 2 KB, and the backward pass keeps three such buffers.
    private const int Chunk = 256;

    /// <summary>
    /// Training forward pass: normalizes with the batch's own statistics and updates the running ones. Per column
    /// <c>j</c>: <c>μ = (1/N) Σ_i x[i,j]</c>, <c>σ² = (1/N) Σ_i (x[i,j] − μ)²</c> (biased, computed in two passes),
    /// <c>invStd = 1/√(σ² + ε)</c>, <c>xhat = (x − μ)·invStd</c>, <c>y = γ·xhat + β</c>, then
    /// <c>runningMean = momentum·runningMean + (1 − momentum)·μ</c> and
    /// <c>runningVar = momentum·runningVar + (1 − momentum)·σ²</c> (CS231n's convention: the biased variance).
    /// </summary>
    /// <param name="x">Input <c>[rows×cols]</c>.</param>
    /// <param name="gamma">Scale γ <c>[cols]</c>.</param>
    /// <param name="beta">Shift β <c>[cols]</c>.</param>
    /// <param name="y">Output <c>[rows×cols]</c>; may be <paramref name="x"/> itself (in place).</param>
    /// <param name="xhat">Normalized input <c>[rows×cols]</c>, kept for <see cref="Backward"/>; must not overlap x or y.</param>
    /// <param name="batchMean">Receives μ <c>[cols]</c>.</param>
    /// <param name="invStd">Receives 1/√(σ² + ε) <c>[cols]</c>, kept for <see cref="Backward"/>.</param>
    /// <param name="runningMean">Running mean <c>[cols]</c>, updated in place.</param>
    /// <param name="runningVar">Running variance <c>[cols]</c>, updated in place.</param>
    /// <param name="rows">Batch size N, at least 1.</param>
    /// <param name="cols">Units per row.</param>
    /// <param name="momentum">Weight of the old running statistics, e.g. 0.9.</param>
    /// <param name="epsilon">Added to the variance before the square root, e.g. 1e-5.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is less than 1 or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A matrix span is shorter than rows·cols, or a vector is not cols long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardTraining<T>(
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta,
        Span<T> y,
        Span<T> xhat,
        Span<T> batchMean,
        Span<T> invStd,
        Span<T> runningMean,
        Span<T> runningVar,
        int rows,
        int cols,
        T momentum,
        T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var size = (long)rows * cols;
        ThrowHelper.AtLeast(x.Length, size, nameof(x), "rows·cols");
        ThrowHelper.Exactly(gamma.Length, cols, nameof(gamma), "cols");
        ThrowHelper.Exactly(beta.Length, cols, nameof(beta), "cols");
        ThrowHelper.AtLeast(y.Length, size, nameof(y), "rows·cols");
        ThrowHelper.AtLeast(xhat.Length, size, nameof(xhat), "rows·cols");
        ThrowHelper.Exactly(batchMean.Length, cols, nameof(batchMean), "cols");
        ThrowHelper.Exactly(invStd.Length, cols, nameof(invStd), "cols");
        ThrowHelper.Exactly(runningMean.Length, cols, nameof(runningMean), "cols");
        ThrowHelper.Exactly(runningVar.Length, cols, nameof(runningVar), "cols");

        var n = T.CreateChecked(rows);

        // (1) μ = Σ_rows x / N, each column summed top to bottom.
        batchMean.Clear();
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(batchMean, x.Slice(i * cols, cols), batchMean);
        }

        TensorPrimitives.Divide(batchMean, n, batchMean);

        // (2) xhat = x − μ for now; σ² = Σ_rows (x − μ)² / N, summed in invStd. The second pass over the deviations
        //     avoids E[x²] − E[x]², which loses every digit when |μ| ≫ σ.
        invStd.Clear();
        for (var i = 0; i < rows; i++)
        {
            var deviation = xhat.Slice(i * cols, cols);
            TensorPrimitives.Subtract(x.Slice(i * cols, cols), batchMean, deviation);
            TensorPrimitives.MultiplyAdd(deviation, deviation, invStd, invStd);
        }

        TensorPrimitives.Divide(invStd, n, invStd);

        // (3) running statistics: r = momentum·r + (1 − momentum)·batch value (σ² is still in invStd).
        var keep = T.One - momentum;
        TensorPrimitives.Multiply(runningMean, momentum, runningMean);
        TensorPrimitives.MultiplyAdd(batchMean, keep, runningMean, runningMean);
        TensorPrimitives.Multiply(runningVar, momentum, runningVar);
        TensorPrimitives.MultiplyAdd(invStd, keep, runningVar, runningVar);

        // (4) invStd = 1/√(σ² + ε).
        TensorPrimitives.Add(invStd, epsilon, invStd);
        TensorPrimitives.Sqrt(invStd, invStd);
        TensorPrimitives.Reciprocal(invStd, invStd);

        // (5) xhat = (x − μ)·invStd;  y = γ·xhat + β. x is not read after (2), so y may be x.
        for (var i = 0; i < rows; i++)
        {
            var row = xhat.Slice(i * cols, cols);
            TensorPrimitives.Multiply(row, invStd, row);
            TensorPrimitives.MultiplyAdd(row, gamma, beta, y.Slice(i * cols, cols));
        }
    }

    /// <summary>
    /// Inference forward pass with the running statistics: effectively computes
    /// <c>y[i,j] = γ[j]·(x[i,j] − runningMean[j]) / √(runningVar[j] + ε) + β[j]</c>. Allocates nothing.
    /// </summary>
    /// <param name="x">Input <c>[rows×cols]</c>.</param>
    /// <param name="gamma">Scale γ <c>[cols]</c>.</param>
    /// <param name="beta">Shift β <c>[cols]</c>.</param>
    /// <param name="runningMean">Running mean <c>[cols]</c>.</param>
    /// <param name="runningVar">Running variance <c>[cols]</c>.</param>
    /// <param name="y">Output <c>[rows×cols]</c>; may be <paramref name="x"/> itself (in place).</param>
    /// <param name="rows">Rows; 0 does nothing.</param>
    /// <param name="cols">Units per row.</param>
    /// <param name="epsilon">Added to the variance before the square root, as in training.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A matrix span is shorter than rows·cols, or a vector is not cols long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardInference<T>(
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta,
        ReadOnlySpan<T> runningMean,
        ReadOnlySpan<T> runningVar,
        Span<T> y,
        int rows,
        int cols,
        T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var size = (long)rows * cols;
        ThrowHelper.AtLeast(x.Length, size, nameof(x), "rows·cols");
        ThrowHelper.Exactly(gamma.Length, cols, nameof(gamma), "cols");
        ThrowHelper.Exactly(beta.Length, cols, nameof(beta), "cols");
        ThrowHelper.Exactly(runningMean.Length, cols, nameof(runningMean), "cols");
        ThrowHelper.Exactly(runningVar.Length, cols, nameof(runningVar), "cols");
        ThrowHelper.AtLeast(y.Length, size, nameof(y), "rows·cols");
        if (rows == 0)
        {
            return;
        }

        // scale = γ/√(runningVar + ε) per column, then y = (x − runningMean)·scale + β row by row. Subtracting first keeps
        // the digits that x·scale + (β − runningMean·scale), one pass shorter, loses when |runningMean| ≫ √runningVar.
        Span<T> buffer = stackalloc T[Math.Min(cols, Chunk)];
        for (var j = 0; j < cols; j += Chunk)
        {
            var width = Math.Min(Chunk, cols - j);
            var scale = buffer.Slice(0, width);
            TensorPrimitives.Add(runningVar.Slice(j, width), epsilon, scale);
            TensorPrimitives.Sqrt(scale, scale);
            TensorPrimitives.Divide(gamma.Slice(j, width), scale, scale);
            var mean = runningMean.Slice(j, width);
            var shift = beta.Slice(j, width);
            for (var i = 0; i < rows; i++)
            {
                var row = y.Slice((i * cols) + j, width);
                TensorPrimitives.Subtract(x.Slice((i * cols) + j, width), mean, row);
                TensorPrimitives.MultiplyAdd(row, scale, shift, row);
            }
        }
    }

    /// <summary>
    /// Backward pass of <see cref="ForwardTraining"/> in the compact form (CS231n's <c>batchnorm_backward_alt</c>):
    /// <c>dβ = Σ_rows dy</c>, <c>dγ = Σ_rows dy·xhat</c> (both overwritten, not accumulated) and
    /// <c>dx = (γ·invStd/N)·(N·dy − dβ − xhat·dγ)</c>.
    /// </summary>
    /// <param name="dy">Upstream gradient <c>[rows×cols]</c>.</param>
    /// <param name="xhat">The normalized input that <see cref="ForwardTraining"/> wrote <c>[rows×cols]</c>.</param>
    /// <param name="gamma">Scale γ <c>[cols]</c>.</param>
    /// <param name="invStd">The 1/√(σ² + ε) that <see cref="ForwardTraining"/> wrote <c>[cols]</c>.</param>
    /// <param name="dx">Gradient of the input <c>[rows×cols]</c>; may be <paramref name="dy"/> itself (in place).</param>
    /// <param name="dgamma">Receives dγ <c>[cols]</c>.</param>
    /// <param name="dbeta">Receives dβ <c>[cols]</c>.</param>
    /// <param name="rows">Batch size N, at least 1.</param>
    /// <param name="cols">Units per row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is less than 1 or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A matrix span is shorter than rows·cols, or a vector is not cols long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(
        ReadOnlySpan<T> dy,
        ReadOnlySpan<T> xhat,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> invStd,
        Span<T> dx,
        Span<T> dgamma,
        Span<T> dbeta,
        int rows,
        int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var size = (long)rows * cols;
        ThrowHelper.AtLeast(dy.Length, size, nameof(dy), "rows·cols");
        ThrowHelper.AtLeast(xhat.Length, size, nameof(xhat), "rows·cols");
        ThrowHelper.Exactly(gamma.Length, cols, nameof(gamma), "cols");
        ThrowHelper.Exactly(invStd.Length, cols, nameof(invStd), "cols");
        ThrowHelper.AtLeast(dx.Length, size, nameof(dx), "rows·cols");
        ThrowHelper.Exactly(dgamma.Length, cols, nameof(dgamma), "cols");
        ThrowHelper.Exactly(dbeta.Length, cols, nameof(dbeta), "cols");

        // (1) dβ = Σ_rows dy;  dγ = Σ_rows dy·xhat. All of dy is read here, before dx (which may be dy) is written.
        dbeta.Clear();
        dgamma.Clear();
        for (var i = 0; i < rows; i++)
        {
            var dyRow = dy.Slice(i * cols, cols);
            TensorPrimitives.Add(dbeta, dyRow, dbeta);
            TensorPrimitives.MultiplyAdd(dyRow, xhat.Slice(i * cols, cols), dgamma, dgamma);
        }

        // (2) dx = (γ·invStd/N)·(N·dy − dβ − xhat·dγ), written as s·((dy + xhat·(−dγ/N)) + (−dβ/N)) with s = γ·invStd:
        //     two TensorPrimitives calls per row (MultiplyAdd, then AddMultiply) on three per-column vectors.
        var n = T.CreateChecked(rows);
        var width0 = Math.Min(cols, Chunk);
        Span<T> buffer = stackalloc T[3 * width0];
        for (var j = 0; j < cols; j += Chunk)
        {
            var width = Math.Min(Chunk, cols - j);
            var scale = buffer.Slice(0, width);
            var gammaShare = buffer.Slice(width0, width);
            var betaShare = buffer.Slice(2 * width0, width);
            TensorPrimitives.Multiply(gamma.Slice(j, width), invStd.Slice(j, width), scale);
            TensorPrimitives.Divide(dgamma.Slice(j, width), -n, gammaShare);
            TensorPrimitives.Divide(dbeta.Slice(j, width), -n, betaShare);
            for (var i = 0; i < rows; i++)
            {
                var row = dx.Slice((i * cols) + j, width);
                TensorPrimitives.MultiplyAdd(xhat.Slice((i * cols) + j, width), gammaShare, dy.Slice((i * cols) + j, width), row);
                TensorPrimitives.AddMultiply(row, betaShare, scale, row);
            }
        }
    }
}
