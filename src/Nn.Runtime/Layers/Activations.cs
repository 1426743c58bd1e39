using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// Elementwise activations and their backward passes, in <c>XxxForward</c>/<c>XxxBackward</c> pairs.
/// Forward passes may run in place (<c>x</c> and <c>y</c> the same span). Backward passes take the
/// activation's output <c>h</c> (all these derivatives can be written in terms of it) and the upstream
/// gradient <c>dout</c>, and write <c>dx</c>, which may be <c>dout</c> itself.
/// </summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary>Effectively computes <c>y[i] = max(0, x[i])</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluForward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        TensorPrimitives.Max(x, T.Zero, y);
    }

    /// <summary>In place: <c>dh[i] = 0</c> where <c>h[i] ≤ 0</c>, <paramref name="h"/> being the ReLU's output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward<T>(ReadOnlySpan<T> h, Span<T> dh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Exactly(dh.Length, h.Length, nameof(dh), "h.Length");   // named as the caller wrote it, not dout
        ReluBackward(h, dh, dh);
    }

    /// <summary>Effectively computes <c>dx[i] = h[i] &gt; 0 ? dout[i] : 0</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ReluBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dout, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => Backward(h, dout, dx, new Leaky<T>(T.Zero));

    /// <summary>Effectively computes <c>y[i] = x[i] &gt; 0 ? x[i] : alpha·x[i]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluForward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        Backward(x, x, y, new Leaky<T>(alpha));   // the same select: x where x > 0, else alpha·x
    }

    /// <summary>Effectively computes <c>dx[i] = h[i] &gt; 0 ? dout[i] : alpha·dout[i]</c> (for alpha &gt; 0, h and x have the same sign).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dout, Span<T> dx, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T> => Backward(h, dout, dx, new Leaky<T>(alpha));

    /// <summary>Effectively computes <c>y[i] = 1 / (1 + exp(−x[i]))</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidForward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        TensorPrimitives.Sigmoid(x, y.Slice(0, x.Length));
    }

    /// <summary>Effectively computes <c>dx[i] = dout[i]·h[i]·(1 − h[i])</c>, <paramref name="h"/> being the sigmoid's output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dout, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => Backward(h, dout, dx, default(SigmoidDerivative<T>));

    /// <summary>Effectively computes <c>y[i] = tanh(x[i])</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhForward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        TensorPrimitives.Tanh(x, y.Slice(0, x.Length));
    }

    /// <summary>Effectively computes <c>dx[i] = dout[i]·(1 − h[i]²)</c>, <paramref name="h"/> being tanh's output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void TanhBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dout, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => Backward(h, dout, dx, default(TanhDerivative<T>));

    /// <summary>
    /// Fraction of the <paramref name="cols"/> units of a ReLU output <c>[rows×cols]</c> that are 0 for every row:
    /// units that passed no gradient for this batch ("dead" units, which CS231n advises watching).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="h"/> is shorter than rows·cols.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double DeadFraction<T>(ReadOnlySpan<T> h, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Dimensions(rows, 1, cols);
        ThrowHelper.AtLeast(h.Length, (long)rows * cols, nameof(h), "rows·cols");
        if (cols == 0)
        {
            return 0;
        }

        var dead = 0;
        for (var j = 0; j < cols; j++)
        {
            var alive = false;
            for (var i = 0; i < rows && !alive; i++)
            {
                alive = h[(i * cols) + j] > T.Zero;
            }

            dead += alive ? 0 : 1;
        }

        return (double)dead / cols;
    }

    // dx = op(h, dout), vectorized; TensorPrimitives has no masked or fused form of these.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<T, TOp>(ReadOnlySpan<T> h, ReadOnlySpan<T> dout, Span<T> dx, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IDerivative<T>
    {
        ThrowHelper.Exactly(dout.Length, h.Length, nameof(dout), "h.Length");
        ThrowHelper.AtLeast(dx.Length, h.Length, nameof(dx), "h.Length");
        ref var hRef = ref MemoryMarshal.GetReference(h);
        ref var dRef = ref MemoryMarshal.GetReference(dout);
        ref var xRef = ref MemoryMarshal.GetReference(dx);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<T>.Count <= h.Length; i += Vector<T>.Count)
            {
                var value = op.Apply(Vector.LoadUnsafe(ref hRef, (nuint)i), Vector.LoadUnsafe(ref dRef, (nuint)i));
                Vector.StoreUnsafe(value, ref xRef, (nuint)i);
            }
        }

        for (; i < h.Length; i++)
        {
            Unsafe.Add(ref xRef, i) = op.Apply(Unsafe.Add(ref hRef, i), Unsafe.Add(ref dRef, i));
        }
    }

    private interface IDerivative<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector<T> Apply(Vector<T> h, Vector<T> dout);

        T Apply(T h, T dout);
    }

    // h > 0 ? dout : slope·dout — ReLU is slope 0.
    private readonly struct Leaky<T>(T slope) : IDerivative<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Apply(Vector<T> h, Vector<T> dout) =>
            Vector.ConditionalSelect(Vector.GreaterThan(h, Vector<T>.Zero), dout, dout * slope);

        public T Apply(T h, T dout) => h > T.Zero ? dout : dout * slope;
    }

    private readonly struct SigmoidDerivative<T> : IDerivative<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Apply(Vector<T> h, Vector<T> dout) => dout * h * (Vector<T>.One - h);

        public T Apply(T h, T dout) => dout * h * (T.One - h);
    }

    private readonly struct TanhDerivative<T> : IDerivative<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Apply(Vector<T> h, Vector<T> dout) => dout * (Vector<T>.One - (h * h));

        public T Apply(T h, T dout) => dout * (T.One - (h * h));
    }
}
