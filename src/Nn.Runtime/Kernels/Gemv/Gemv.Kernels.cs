using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>The AVX-512 loops behind <see cref="Gemv"/>; arguments are validated by the callers.</summary>
public static partial class Gemv
{
    // Vectors of the output row per pass over W in Wide: 8 vectors × 2 k-chains = 16 accumulators, half the
    // 32 zmm registers; n = 100 floats is one pass of 7 vectors, n = 512 four passes of 8.
    private const int BlockVectors = 8;

    private interface ICount
    {
        static abstract int Value { get; }
    }

    // Vector counts as types: Block<T, C7> is compiled for exactly 7 vectors, every `if (c > i)` folded away.
    private struct C1 : ICount { public static int Value => 1; }
    private struct C2 : ICount { public static int Value => 2; }
    private struct C3 : ICount { public static int Value => 3; }
    private struct C4 : ICount { public static int Value => 4; }
    private struct C5 : ICount { public static int Value => 5; }
    private struct C6 : ICount { public static int Value => 6; }
    private struct C7 : ICount { public static int Value => 7; }
    private struct C8 : ICount { public static int Value => 8; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideKernel<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector512<T>.Count;
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            // A 64-byte load that straddles two cache lines costs two: on unaligned rows the kernel ran at half speed
            // from L1 (n = 128: 90 against 173 GFLOP/s aligned; 784×512 from L3: 21.4 against 15.6 µs). When every row
            // starts at the same offset within a line (n·sizeof(T) a multiple of 64), the vectors are laid on the
            // line grid instead: vector i covers columns o + i·lanes with o = −(misalignment), the first vector
            // masked below column 0 and the last above n. Other widths (n = 100: four offsets in turn) keep o = 0.
            var shift = (n * sizeof(T)) % 64 == 0 ? (int)((nuint)w % 64) / sizeof(T) : 0;
            var vectors = (n + shift + lanes - 1) / lanes;
            // passes of equal width (33 vectors: 7, 7, 7, 6, 6 rather than 8, 8, 8, 8, 1, a whole pass over W for one vector)
            var passes = (vectors + BlockVectors - 1) / BlockVectors;
            for (int v0 = 0, pass = 0; pass < passes; pass++)
            {
                var count = (vectors - v0 + (passes - pass) - 1) / (passes - pass);
                nint o = (v0 * lanes) - shift;
                var first = v0 == 0 ? ~Mask<T>(shift) : Vector512<T>.AllBitsSet;
                var last = Mask<T>(n - (int)o - ((count - 1) * lanes));
                if (count == 1)
                {
                    first &= last;
                }

                var bias = b == null ? null : b + o;
                switch (count)
                {
                    case 1: Block<T, C1>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 2: Block<T, C2>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 3: Block<T, C3>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 4: Block<T, C4>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 5: Block<T, C5>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 6: Block<T, C6>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    case 7: Block<T, C7>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                    default: Block<T, C8>(x, w + o, bias, y + o, k, n, first, last, relu); break;
                }

                v0 += count;
            }
        }
    }

    // c vectors of y (c = TC.Value) in registers: chain a takes even rows of W (and starts from the bias), chain e odd rows.
    // Vector 0 is read and written under mask f, vector c − 1 under mask m (f already includes m when c = 1).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block<T, TC>(T* x, T* w, T* b, T* y, int k, int n, Vector512<T> f, Vector512<T> m, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TC : struct, ICount
    {
        var c = TC.Value;
        Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<T> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default, e6 = default, e7 = default;
        if (b != null)
        {
            a0 = Ld(b, 0, c, f, m);
            if (c > 1) a1 = Ld(b, 1, c, f, m);
            if (c > 2) a2 = Ld(b, 2, c, f, m);
            if (c > 3) a3 = Ld(b, 3, c, f, m);
            if (c > 4) a4 = Ld(b, 4, c, f, m);
            if (c > 5) a5 = Ld(b, 5, c, f, m);
            if (c > 6) a6 = Ld(b, 6, c, f, m);
            if (c > 7) a7 = Ld(b, 7, c, f, m);
        }

        nint p = 0;
        for (; p + 1 < k; p += 2)
        {
            T* r = w + (p * n);
            T* s = r + n;
            var xa = Vector512.Create(x[p]);
            var xe = Vector512.Create(x[p + 1]);
            a0 = Fma(Ld(r, 0, c, f, m), xa, a0); e0 = Fma(Ld(s, 0, c, f, m), xe, e0);
            if (c > 1) { a1 = Fma(Ld(r, 1, c, f, m), xa, a1); e1 = Fma(Ld(s, 1, c, f, m), xe, e1); }
            if (c > 2) { a2 = Fma(Ld(r, 2, c, f, m), xa, a2); e2 = Fma(Ld(s, 2, c, f, m), xe, e2); }
            if (c > 3) { a3 = Fma(Ld(r, 3, c, f, m), xa, a3); e3 = Fma(Ld(s, 3, c, f, m), xe, e3); }
            if (c > 4) { a4 = Fma(Ld(r, 4, c, f, m), xa, a4); e4 = Fma(Ld(s, 4, c, f, m), xe, e4); }
            if (c > 5) { a5 = Fma(Ld(r, 5, c, f, m), xa, a5); e5 = Fma(Ld(s, 5, c, f, m), xe, e5); }
            if (c > 6) { a6 = Fma(Ld(r, 6, c, f, m), xa, a6); e6 = Fma(Ld(s, 6, c, f, m), xe, e6); }
            if (c > 7) { a7 = Fma(Ld(r, 7, c, f, m), xa, a7); e7 = Fma(Ld(s, 7, c, f, m), xe, e7); }
        }

        if (p < k)
        {
            T* r = w + (p * n);
            var xa = Vector512.Create(x[p]);
            a0 = Fma(Ld(r, 0, c, f, m), xa, a0);
            if (c > 1) a1 = Fma(Ld(r, 1, c, f, m), xa, a1);
            if (c > 2) a2 = Fma(Ld(r, 2, c, f, m), xa, a2);
            if (c > 3) a3 = Fma(Ld(r, 3, c, f, m), xa, a3);
            if (c > 4) a4 = Fma(Ld(r, 4, c, f, m), xa, a4);
            if (c > 5) a5 = Fma(Ld(r, 5, c, f, m), xa, a5);
            if (c > 6) a6 = Fma(Ld(r, 6, c, f, m), xa, a6);
            if (c > 7) a7 = Fma(Ld(r, 7, c, f, m), xa, a7);
        }

        St(y, 0, c, f, m, Finish(a0 + e0, relu));
        if (c > 1) St(y, 1, c, f, m, Finish(a1 + e1, relu));
        if (c > 2) St(y, 2, c, f, m, Finish(a2 + e2, relu));
        if (c > 3) St(y, 3, c, f, m, Finish(a3 + e3, relu));
        if (c > 4) St(y, 4, c, f, m, Finish(a4 + e4, relu));
        if (c > 5) St(y, 5, c, f, m, Finish(a5 + e5, relu));
        if (c > 6) St(y, 6, c, f, m, Finish(a6 + e6, relu));
        if (c > 7) St(y, 7, c, f, m, Finish(a7 + e7, relu));
    }

    // n < one vector: row p of W is one masked vector times x[p]; rows go round-robin to 4 accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NarrowKernel<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = Mask<T>(n);
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default;
            nint p = 0;
            for (; p + 3 < k; p += 4)
            {
                T* r = w + (p * n);
                a0 = Fma(MaskLoad(r, m), Vector512.Create(x[p]), a0);
                a1 = Fma(MaskLoad(r + n, m), Vector512.Create(x[p + 1]), a1);
                a2 = Fma(MaskLoad(r + (2 * n), m), Vector512.Create(x[p + 2]), a2);
                a3 = Fma(MaskLoad(r + (3 * n), m), Vector512.Create(x[p + 3]), a3);
            }

            for (; p < k; p++)
            {
                a0 = Fma(MaskLoad(w + (p * n), m), Vector512.Create(x[p]), a0);
            }

            var sum = (a0 + a1) + (a2 + a3);
            if (b != null)
            {
                sum += MaskLoad(b, m);
            }

            MaskStore(y, m, Finish(sum, relu));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<T> Ld<T>(T* p, int i, int c, Vector512<T> f, Vector512<T> m)
        where T : unmanaged =>
        i == 0 ? MaskLoad(p, f) : i == c - 1 ? MaskLoad(p + (i * Vector512<T>.Count), m) : Vector512.Load(p + (i * Vector512<T>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void St<T>(T* p, int i, int c, Vector512<T> f, Vector512<T> m, Vector512<T> v)
        where T : unmanaged
    {
        if (i == 0)
        {
            MaskStore(p, f, v);
        }
        else if (i == c - 1)
        {
            MaskStore(p + (i * Vector512<T>.Count), m, v);
        }
        else
        {
            Vector512.Store(v, p + (i * Vector512<T>.Count));
        }
    }

    // Lanes below `count` set (all of them when count ≥ lanes).
    private static Vector512<T> Mask<T>(int count)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Finish<T>(Vector512<T> v, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        relu ? Vector512.Max(v, Vector512<T>.Zero) : v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    // Masked lanes are neither read nor faulted on: the last vector of a row may end past the span.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<T> MaskLoad<T>(T* p, Vector512<T> m)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Avx512F.MaskLoad((float*)p, m.AsSingle(), Vector512<float>.Zero).As<float, T>()
            : Avx512F.MaskLoad((double*)p, m.AsDouble(), Vector512<double>.Zero).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MaskStore<T>(T* p, Vector512<T> m, Vector512<T> v)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Avx512F.MaskStore((float*)p, m.AsSingle(), v.AsSingle());
        }
        else
        {
            Avx512F.MaskStore((double*)p, m.AsDouble(), v.AsDouble());
        }
    }
}
