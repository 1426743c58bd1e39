using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// The elementwise operations and reductions that <c>Predict</c>, <c>Probabilities</c>, the losses, L2 and SGD make per
/// call: max, index of the max, sum, sum of squares, <c>exp</c>, <c>log</c>, and a scalar or span combined with a span.
/// </summary>
/// <remarks>
/// <para>
/// Called by generated code; not part of the user API. These are what <c>TensorPrimitives</c> (System.Numerics.Tensors)
/// does, written here because of cold start (issue #13): its methods are generic operator code that the JIT compiles
/// at tier 0 at their first call, and our callers' <c>AggressiveOptimization</c> does not reach into them (they are
/// too large to inline). In fresh processes (bench/Startup <c>--member</c>, docs/benchmarks.md "Cold start") 58–115
/// methods were compiled after the first <c>Probabilities</c> call, most of them that library's, and the calls ran
/// 1.4–2.5× slower than their steady time until 0.5 s after it; with these kernels, 4–8 methods (none of Nn's) and
/// steady speed within 50 ms. Every method here is compiled optimized at its first call and never again.
/// </para>
/// <para>
/// The runtime's own vector <c>Exp</c> (<c>Vector256.Exp</c>, which <c>TensorPrimitives.Exp</c> runs) has the same
/// problem one level down, so float <c>exp</c> is computed here (<see cref="ExpSingle"/>); double <c>exp</c> and
/// <c>log</c> call the C library element by element (native code, which tiered compilation does not touch). Every
/// kernel uses the portable <see cref="Vector{T}"/>: the spans are rows of a few classes or memory-bound passes over
/// the parameters. NaN propagates through <see cref="Max{T}"/> and <see cref="IndexOfMax{T}"/> as through
/// <c>TensorPrimitives.Max</c> and <c>IndexOfMax</c>.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Elementwise
{
    /// <summary>The largest value of a non-empty span; NaN if any is NaN; +0 above −0.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Max<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(x.Length, 1, nameof(x), "1");
        ref T r = ref MemoryMarshal.GetReference(x);
        var i = 0;
        var max = r;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var m = Vector.LoadUnsafe(ref r);
            for (i = Vector<T>.Count; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                m = Vector.Max(m, Vector.LoadUnsafe(ref r, (nuint)i));   // IEEE 754 maximum: NaN propagates, +0 > −0
            }

            max = m[0];
            for (var j = 1; j < Vector<T>.Count; j++)
            {
                max = T.Max(max, m[j]);
            }
        }

        for (; i < x.Length; i++)
        {
            max = T.Max(max, Unsafe.Add(ref r, i));
        }

        return max;
    }

    /// <summary>
    /// The index of the largest value of a span (the first one on ties), the index of the first NaN if there is one,
    /// +0 above −0; −1 for an empty span. As <c>TensorPrimitives.IndexOfMax</c>.
    /// </summary>
    /// <remarks>A plain loop: the spans are rows of class scores, where it costs a few nanoseconds per class.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfMax<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty)
        {
            return -1;
        }

        var best = 0;
        var max = x[0];
        if (T.IsNaN(max))
        {
            return 0;
        }

        for (var i = 1; i < x.Length; i++)
        {
            var v = x[i];
            if (v > max || (v == max && T.IsNegative(max) && !T.IsNegative(v)))
            {
                best = i;
                max = v;
            }
            else if (T.IsNaN(v))
            {
                return i;
            }
        }

        return best;
    }

    /// <summary>The sum of a span's values; 0 for an empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r = ref MemoryMarshal.GetReference(x);
        var i = 0;
        var sum = T.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var s = Vector<T>.Zero;
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                s += Vector.LoadUnsafe(ref r, (nuint)i);
            }

            sum = Vector.Sum(s);
        }

        for (; i < x.Length; i++)
        {
            sum += Unsafe.Add(ref r, i);
        }

        return sum;
    }

    /// <summary>The sum of the squares of a span's values; 0 for an empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T SumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r = ref MemoryMarshal.GetReference(x);
        var i = 0;
        var sum = T.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            // Two accumulators: the additions of one do not wait for the other's.
            Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero;
            for (; i + (2 * Vector<T>.Count) <= x.Length; i += 2 * Vector<T>.Count)
            {
                var a = Vector.LoadUnsafe(ref r, (nuint)i);
                var b = Vector.LoadUnsafe(ref r, (nuint)(i + Vector<T>.Count));
                s0 += a * a;
                s1 += b * b;
            }

            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                var a = Vector.LoadUnsafe(ref r, (nuint)i);
                s0 += a * a;
            }

            sum = Vector.Sum(s0 + s1);
        }

        for (; i < x.Length; i++)
        {
            var v = Unsafe.Add(ref r, i);
            sum += v * v;
        }

        return sum;
    }

    /// <summary>Effectively computes <c>y[i] = x[i] − value</c>; in place allowed.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract<T>(ReadOnlySpan<T> x, T value, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = new Vector<T>(value);
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (Vector.LoadUnsafe(ref rx, (nuint)i) - v).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = Unsafe.Add(ref rx, i) - value;
        }
    }

    /// <summary>Effectively computes <c>z[i] = x[i] − y[i]</c>; in place allowed.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="z"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ThrowHelper.AtLeast(z.Length, x.Length, nameof(z), "x.Length");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rz = ref MemoryMarshal.GetReference(z);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (Vector.LoadUnsafe(ref rx, (nuint)i) - Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rz, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref rz, i) = Unsafe.Add(ref rx, i) - Unsafe.Add(ref ry, i);
        }
    }

    /// <summary>Effectively computes <c>y[i] = x[i] · factor</c>; in place allowed.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ReadOnlySpan<T> x, T factor, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = new Vector<T>(factor);
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (Vector.LoadUnsafe(ref rx, (nuint)i) * v).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = Unsafe.Add(ref rx, i) * factor;
        }
    }

    /// <summary>Effectively computes <c>y[i] = x[i] / divisor</c> (a division, not a multiplication by 1/divisor); in place allowed.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Divide<T>(ReadOnlySpan<T> x, T divisor, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = new Vector<T>(divisor);
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (Vector.LoadUnsafe(ref rx, (nuint)i) / v).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = Unsafe.Add(ref rx, i) / divisor;
        }
    }

    /// <summary>
    /// Effectively computes <c>y[i] = x[i] · factor + addend[i]</c>, rounded after the product as
    /// <c>TensorPrimitives.MultiplyAdd</c> is (not fused); <paramref name="y"/> may be <paramref name="addend"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="addend"/> or <paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, T factor, ReadOnlySpan<T> addend, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(addend.Length, x.Length, nameof(addend), "x.Length");
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ra = ref MemoryMarshal.GetReference(addend);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = new Vector<T>(factor);
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                ((Vector.LoadUnsafe(ref rx, (nuint)i) * v) + Vector.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = (Unsafe.Add(ref rx, i) * factor) + Unsafe.Add(ref ra, i);
        }
    }

    /// <summary>
    /// Effectively computes <c>y[i] = exp(x[i])</c>; in place allowed. For float, vectorized (see the remarks of
    /// <see cref="ExpSingle"/>); for double, the C library's <c>exp</c> element by element.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        var n = x.Length;
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                ExpSingle(Vector.LoadUnsafe(ref rx, (nuint)i).As<T, float>()).As<float, T>().StoreUnsafe(ref ry, (nuint)i);
            }

            if (i < n)
            {
                // The last elements in a zero-padded vector, so that every element gets the same arithmetic.
                Span<T> pad = stackalloc T[Vector<float>.Count];
                pad.Clear();
                x.Slice(i).CopyTo(pad);
                ref T rp = ref MemoryMarshal.GetReference(pad);
                ExpSingle(Vector.LoadUnsafe(ref rp).As<T, float>()).As<float, T>().StoreUnsafe(ref rp);
                pad.Slice(0, n - i).CopyTo(y.Slice(i));
            }

            return;
        }

        // double (and any other T): the C library's exp, a native call that tiered compilation does not touch.
        for (; i < n; i++)
        {
            Unsafe.Add(ref ry, i) = T.Exp(Unsafe.Add(ref rx, i));
        }
    }

    /// <summary>
    /// Effectively computes <c>y[i] = log(x[i])</c> with the C library's <c>log</c>, element by element; in place allowed.
    /// </summary>
    /// <remarks>Its callers take the logarithm of one value per row (a softmax row's sum), not of every score.</remarks>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.AtLeast(y.Length, x.Length, nameof(y), "x.Length");
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = T.Log(x[i]);
        }
    }

    /// <summary><c>exp</c> of each float lane, computed in double and rounded once to float.</summary>
    /// <remarks>
    /// The runtime's own <c>Vector256.Exp</c> (what <c>TensorPrimitives.Exp</c> runs) calls into generic helpers too large to
    /// inline, which would start as tier-0 code. Here: <c>exp(x) = 2ⁿ · e^r</c> with <c>n = round(x / ln 2)</c> and
    /// <c>r = x − n·ln 2</c>, |r| ≤ ½ln 2, e^r by its Taylor polynomial to r⁸ (truncation below 2·10⁻¹⁰ relative, under
    /// 0.01 of a float's last place), 2ⁿ built in the exponent bits. x is clamped to [−110, 100] first, where exp is 0 and
    /// +∞ after rounding to float, so ±∞ give 0 and +∞; NaN stays NaN. ElementwiseTests compares it with a double reference
    /// and with <c>TensorPrimitives.Exp</c> over the whole float range.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpSingle(Vector<float> x)
    {
        Vector.Widen(x, out var low, out var high);
        return Vector.Narrow(ExpWidened(low), ExpWidened(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpWidened(Vector<double> x)
    {
        const double Log2E = 1.4426950408889634;          // 1 / ln 2
        const double Ln2 = 0.6931471805599453;
        const double RoundingShift = 6755399441055744.0;   // 1.5·2⁵²: adding it rounds to an integer kept in the low bits
        var d = Vector.Min(Vector.Max(x, new Vector<double>(-110.0)), new Vector<double>(100.0));   // NaN propagates
        var shifted = (d * new Vector<double>(Log2E)) + new Vector<double>(RoundingShift);
        var n = shifted - new Vector<double>(RoundingShift);
        var r = (d * new Vector<double>(Log2E) - n) * new Vector<double>(Ln2);
        var p = new Vector<double>(1.0 / 40320);
        p = (p * r) + new Vector<double>(1.0 / 5040);
        p = (p * r) + new Vector<double>(1.0 / 720);
        p = (p * r) + new Vector<double>(1.0 / 120);
        p = (p * r) + new Vector<double>(1.0 / 24);
        p = (p * r) + new Vector<double>(1.0 / 6);
        p = (p * r) + new Vector<double>(0.5);
        p = (p * r) + Vector<double>.One;
        p = (p * r) + Vector<double>.One;
        // 2ⁿ: n + 1023 in the exponent field (n is in [−159, 145], the low bits of `shifted`).
        var scale = Vector.ShiftLeft(shifted.As<double, long>() + new Vector<long>(1023), 52).As<long, double>();
        return p * scale;
    }
}
