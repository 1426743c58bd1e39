using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>L2 weight decay as in CS231n: loss <c>½λ·Σw²</c>, gradient <c>λ·w</c>. Applied to weights only.</summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Regularization
{
    /// <summary>Returns <c>½·Σ w[i]²</c>; multiply by λ for the loss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T L2<T>(ReadOnlySpan<T> w)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateChecked(0.5) * Elementwise.SumOfSquares(w);

    /// <summary>Effectively computes <c>dw[i] += strength · w[i]</c>. Nothing to do when strength is 0.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void L2Backward<T>(ReadOnlySpan<T> w, Span<T> dw, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Exactly(dw.Length, w.Length, nameof(dw), "w.Length");
        if (strength != T.Zero)
        {
            Elementwise.MultiplyAdd<T>(w, strength, dw, dw);
        }
    }
}
