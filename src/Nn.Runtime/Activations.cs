using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>Elementwise activations and their backward passes, in <c>XxxForward</c>/<c>XxxBackward</c> pairs.</summary>
public static class Activations
{
    /// <summary>Effectively computes <c>y[i] = max(0, x[i])</c>. <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void ReluForward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        TensorPrimitives.Max(x, T.Zero, y);
    }

    /// <summary>
    /// Effectively computes <c>dh[i] = h[i] &gt; 0 ? dh[i] : 0</c>, where <paramref name="h"/> is the ReLU's output:
    /// the gradient flows only through the units that were active.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ReluBackward<T>(ReadOnlySpan<T> h, Span<T> dh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Exactly(dh.Length, h.Length, nameof(dh), "h.Length");

        // TensorPrimitives has no masked select, so this one is written by hand.
        ref var hRef = ref MemoryMarshal.GetReference(h);
        ref var dRef = ref MemoryMarshal.GetReference(dh);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<T>.Count <= h.Length; i += Vector<T>.Count)
            {
                var active = Vector.GreaterThan(Vector.LoadUnsafe(ref hRef, (nuint)i), Vector<T>.Zero);
                Vector.StoreUnsafe(Vector.ConditionalSelect(active, Vector.LoadUnsafe(ref dRef, (nuint)i), Vector<T>.Zero), ref dRef, (nuint)i);
            }
        }

        for (; i < h.Length; i++)
        {
            if (!(h[i] > T.Zero))
            {
                dh[i] = T.Zero;
            }
        }
    }
}
