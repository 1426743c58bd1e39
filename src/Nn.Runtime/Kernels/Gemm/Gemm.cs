using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Matrix products in the three forms the generated code uses: <c>A·B</c> (forward), <c>Aᵀ·B</c>
/// (weight gradients) and <c>A·Bᵀ</c> (input gradients). Row-major, dimensions as in BLAS:
/// C is <c>[m×n]</c> and k is the summed dimension.
/// </summary>
/// <remarks>
/// Behind the API (internal <c>GemmKernels</c>): B packed into panels, cache blocking, register-tiled micro-kernels
/// (8 rows × 2 Vector512 with AVX-512, 6 rows × 2 Vector256/Vector128 without), the bias and ReLU applied while the
/// tile is in registers, and a second thread for large products (<see cref="MaxThreads"/>). The API is what the
/// generator calls; the kernels behind it can be replaced without touching the generated code. <c>c</c> must not
/// overlap <c>a</c>, <c>b</c> or <c>bias</c>. Spans may be longer than needed. Nothing is allocated per call.
/// <para>Called by generated code; not part of the user API.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Gemm
{
    /// <summary>
    /// The most threads one product may use: 1 or 2 (larger values act as 2). Default: the processor count, capped at 2.
    /// </summary>
    /// <remarks>
    /// With 2, products of about 2 MFLOP (2·m·k·n) and more are split between the calling thread and one persistent
    /// background worker; smaller ones stay on the caller. Results are identical bit for bit whatever the setting:
    /// every element is computed by one thread, summing k in the same order. Set 1 to keep the second core free or
    /// to measure one core.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => GemmKernels.MaxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            GemmKernels.MaxThreads = value;
        }
    }

    /// <summary>
    /// Effectively computes <c>C[i,j] = epilogue((accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[p,j] + bias[j])</c>.
    /// </summary>
    /// <param name="a">A, <c>[m×k]</c>.</param>
    /// <param name="b">B, <c>[k×n]</c>.</param>
    /// <param name="c">C, <c>[m×n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="bias">Empty for none, else <c>[n]</c>, added to every row.</param>
    /// <param name="epilogue">Applied after the bias.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape, or bias is neither empty nor n long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n,
        ReadOnlySpan<T> bias = default, Epilogue epilogue = Epilogue.None, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, b.Length, c.Length, m, k, n, "a", "[m×k]", "b", "[k×n]");
        if (!bias.IsEmpty)
        {
            ThrowHelper.Exactly(bias.Length, n, nameof(bias), "n, one per column of C");
        }

        GemmKernels.Run(a, aRowStride: k, aColStride: 1, b, c, m, k, n, bias, epilogue, accumulate);
    }

    /// <summary>Effectively computes <c>C[i,j] (+)= Σ_p A[p,i]·B[p,j]</c>, where A is stored <c>[k×m]</c>.</summary>
    /// <param name="a">A, stored <c>[k×m]</c> (its transpose is used).</param>
    /// <param name="b">B, <c>[k×n]</c>.</param>
    /// <param name="c">C, <c>[m×n]</c>.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="k">Rows of A and B (the batch, for a weight gradient).</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, b.Length, c.Length, m, k, n, "a", "[k×m]", "b", "[k×n]");
        GemmKernels.Run(a, aRowStride: 1, aColStride: m, b, c, m, k, n, default, Epilogue.None, accumulate);
    }

    /// <summary>Effectively computes <c>C[i,j] (+)= Σ_p A[i,p]·B[j,p]</c>, where B is stored <c>[n×k]</c>.</summary>
    /// <param name="a">A, <c>[m×k]</c>.</param>
    /// <param name="b">B, stored <c>[n×k]</c> (its transpose is used).</param>
    /// <param name="c">C, <c>[m×n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A and B.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, b.Length, c.Length, m, k, n, "a", "[m×k]", "b", "[n×k]");
        GemmKernels.RunTransposeB(a, b, c, m, k, n, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int aLength, int bLength, int cLength, int m, int k, int n, string aName, string aShape, string bName, string bShape)
    {
        ThrowHelper.Dimensions(m, k, n);
        // The messages are formatted only when a check fails: the passing path allocates nothing.
        ThrowHelper.AtLeast(aLength, (long)m * k, aName, aShape, m, k, n);
        ThrowHelper.AtLeast(bLength, (long)k * n, bName, bShape, m, k, n);
        ThrowHelper.AtLeast(cLength, (long)m * n, "c", "[m×n]", m, k, n);
    }
}
