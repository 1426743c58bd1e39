using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Inverted dropout (CS231n): in training each unit is dropped with probability <c>p</c> and the kept ones are scaled
/// by <c>1/(1 − p)</c>, so the expected activation is unchanged and inference needs no dropout code at all.
/// Called by generated code; not part of the user API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DropoutKernels
{
    /// <summary>
    /// Effectively computes <c>mask[i] = u[i] &lt; p ? 0 : 1/(1 − p)</c> with <c>u[i]</c> = <c>rng.NextDouble()</c>,
    /// one draw per element in order, and <c>y[i] = x[i]·mask[i]</c>. With <c>p = 0</c> the mask is all ones,
    /// <c>y = x</c>, and <paramref name="rng"/> is not advanced.
    /// </summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>; may be <paramref name="x"/> itself (in place).</param>
    /// <param name="mask">Receives the mask, kept for <see cref="Backward"/>; at least as long as <paramref name="x"/>.</param>
    /// <param name="p">Probability of dropping a unit (PyTorch's convention), in [0, 1).</param>
    /// <param name="rng">The generator; advanced by <c>x.Length</c> draws unless <paramref name="p"/> is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1) (NaN included).</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="mask"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, double p, ref Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(p >= 0 && p < 1))   // written this way round so that NaN fails too
        {
            throw new ArgumentOutOfRangeException(
                nameof(p), p, string.Create(CultureInfo.InvariantCulture, $"The drop probability must be in [0, 1); got {p}."));
        }

        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ThrowHelper.AtLeast(mask.Length, x.Length, nameof(mask), "x.Length");
        var n = x.Length;
        mask = mask.Slice(0, n);
        y = y.Slice(0, n);
        if (p == 0)
        {
            mask.Fill(T.One);
            x.CopyTo(y);   // a no-op copy when y is x
            return;
        }

        // One 53-bit double per element, compared with p exactly as written above. Fewer bits per element (say four
        // 16-bit draws from one NextUInt64) would round p to a multiple of 2⁻¹⁶, so that is not done. Not measured.
        var keep = T.CreateChecked(1 / (1 - p));
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = rng.NextDouble() < p ? T.Zero : keep;
        }

        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>Effectively computes <c>dx[i] = dy[i]·mask[i]</c>, the mask being the one <see cref="Forward"/> wrote.</summary>
    /// <param name="dy">Upstream gradient.</param>
    /// <param name="mask">The forward pass's mask, at least as long as <paramref name="dy"/>.</param>
    /// <param name="dx">Gradient of the input, at least as long as <paramref name="dy"/>; may be <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="mask"/> or <paramref name="dx"/> is shorter than <paramref name="dy"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> mask, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(mask.Length, dy.Length, nameof(mask), "dy.Length");
        ThrowHelper.AtLeast(dx.Length, dy.Length, nameof(dx), "dy.Length");
        TensorPrimitives.Multiply(dy, mask.Slice(0, dy.Length), dx.Slice(0, dy.Length));
    }

    /// <summary>
    /// Undoes the scaling of an in-place <see cref="Forward"/> on the values it kept: effectively computes
    /// <c>y[i] = mask[i] ≠ 0 ? y[i] / mask[i] : y[i]</c>. Generated code runs dropout in place on an activation's output
    /// and calls this in the backward pass before an activation whose derivative is written in terms of its own output
    /// (sigmoid, tanh), so that derivative sees the values the activation produced. A dropped unit keeps 0: its gradient
    /// is 0 after <see cref="Backward"/>, so its value does not matter.
    /// </summary>
    /// <param name="y">Dropout's in-place output; restored in place.</param>
    /// <param name="mask">The forward pass's mask, at least as long as <paramref name="y"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="mask"/> is shorter than <paramref name="y"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unscale<T>(Span<T> y, ReadOnlySpan<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(mask.Length, y.Length, nameof(mask), "y.Length");
        for (var i = 0; i < y.Length; i++)
        {
            if (mask[i] != T.Zero)
            {
                y[i] /= mask[i];
            }
        }
    }
}
