using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The Vector256 loops behind <see cref="Gemv"/> (AVX2 without AVX-512); arguments are validated by the callers.
/// Gemv.Kernels128.cs holds the same loops on Vector128 (SSE, NEON): keep them in step.
/// </summary>
/// <remarks>
/// Neither width has masked loads everywhere (NEON has none), so no vector reads or writes past a span:
/// <c>Wide256</c> (n ≥ lanes) lays its last vector of a row to end at column n, overlapping its neighbour, whose
/// shared columns it computes with the same operations in the same order, so both store the same bits;
/// <c>Packed256</c> (n &lt; lanes) reads whole vectors of W and x while they lie inside the spans, and the last rows with
/// AVX's masked loads (Packed128 copies them into a zero-padded buffer on the stack instead: NEON has no masked load).
/// </remarks>
public static partial class Gemv
{
    // Vectors of the output row per pass in Wide256 and Wide128: 6 vectors × 2 k-chains = 12 accumulators, plus two
    // broadcasts of x: 14 of the 16 ymm/xmm registers of AVX2 and SSE (8 would spill). Wider rows go to
    // the streaming kernels (Stream256, Stream128).
    private const int NarrowBlockVectors = 6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Wide256<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector256<T>.Count;
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            var vectors = (n + lanes - 1) / lanes;
            if (vectors > NarrowBlockVectors)
            {
                Stream256(x, w, b, y, k, n, relu);
                return;
            }

            // one register block; its last vector ends at column n (n = 10 floats: columns 0..8 and 2..10)
            nint last = n - lanes;
            switch (vectors)
            {
                case 1: Block256<T, C1>(x, w, b, y, k, n, last, relu); break;
                case 2: Block256<T, C2>(x, w, b, y, k, n, last, relu); break;
                case 3: Block256<T, C3>(x, w, b, y, k, n, last, relu); break;
                case 4: Block256<T, C4>(x, w, b, y, k, n, last, relu); break;
                case 5: Block256<T, C5>(x, w, b, y, k, n, last, relu); break;
                default: Block256<T, C6>(x, w, b, y, k, n, last, relu); break;
            }
        }
    }

    // More outputs than one pass of Block256 holds in registers (n > 48 floats): W is read as it lies, 8 rows at a time,
    // each row from start to end, and the output row is summed in y itself (L1) from the bias on: per vector of y, one
    // load, 8 FMAs on two chains (even and odd rows), one store. Passes of register blocks read W in strips of 6 vectors
    // with a 2 KB stride (n = 512) instead; measured against them in bench (`widths 300 stream`, the AVX2 EPYC shared with
    // other jobs, fastest of 300 alternating rounds): 784×512 25.2 against 34.0 µs, 512×512 16.7 against 21.8 µs,
    // 784×104 5.45 against 6.67 µs. The last n mod lanes columns are one more register block, over the last vector of the
    // row (it ends at column n), stored after the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stream256<T>(T* x, T* w, T* b, T* y, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint lanes = Vector256<T>.Count;
        nint full = n - (n % (int)lanes);
        for (nint j = 0; j < full; j += lanes)
        {
            Vector256.Store(b == null ? Vector256<T>.Zero : Vector256.Load(b + j), y + j);
        }

        nint p = 0;
        nint n1 = n;
        for (; p + 7 < k; p += 8)
        {
            var x0 = Vector256.Create(x[p]);
            var x1 = Vector256.Create(x[p + 1]);
            var x2 = Vector256.Create(x[p + 2]);
            var x3 = Vector256.Create(x[p + 3]);
            var x4 = Vector256.Create(x[p + 4]);
            var x5 = Vector256.Create(x[p + 5]);
            var x6 = Vector256.Create(x[p + 6]);
            var x7 = Vector256.Create(x[p + 7]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                T* q = r + j;
                var even = Fma(Vector256.Load(q), x0, Vector256.Load(y + j));
                var odd = Vector256.Load(q + n1) * x1;
                even = Fma(Vector256.Load(q + (2 * n1)), x2, even);
                odd = Fma(Vector256.Load(q + (3 * n1)), x3, odd);
                even = Fma(Vector256.Load(q + (4 * n1)), x4, even);
                odd = Fma(Vector256.Load(q + (5 * n1)), x5, odd);
                even = Fma(Vector256.Load(q + (6 * n1)), x6, even);
                odd = Fma(Vector256.Load(q + (7 * n1)), x7, odd);
                Vector256.Store(even + odd, y + j);
            }
        }

        for (; p < k; p++)
        {
            var xp = Vector256.Create(x[p]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                Vector256.Store(Fma(Vector256.Load(r + j), xp, Vector256.Load(y + j)), y + j);
            }
        }

        if (relu)
        {
            for (nint j = 0; j < full; j += lanes)
            {
                Vector256.Store(Vector256.Max(Vector256.Load(y + j), Vector256<T>.Zero), y + j);
            }
        }

        if (full < n)
        {
            nint o = n - lanes;
            Block256<T, C1>(x, w + o, b == null ? null : b + o, y + o, k, n, 0, relu);
        }
    }

    // c vectors of y (c = TC.Value) in registers, vector i at column i·lanes except the last at `last`: chain a takes even
    // rows of W (and starts from the bias), chain e odd rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block256<T, TC>(T* x, T* w, T* b, T* y, int k, int n, nint last, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TC : struct, ICount
    {
        var c = TC.Value;
        nint l = Vector256<T>.Count;
        nint o0 = c == 1 ? last : 0, o1 = c == 2 ? last : l, o2 = c == 3 ? last : 2 * l;
        nint o3 = c == 4 ? last : 3 * l, o4 = c == 5 ? last : 4 * l, o5 = c == 6 ? last : 5 * l;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<T> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default;
        if (b != null)
        {
            a0 = Vector256.Load(b + o0);
            if (c > 1) a1 = Vector256.Load(b + o1);
            if (c > 2) a2 = Vector256.Load(b + o2);
            if (c > 3) a3 = Vector256.Load(b + o3);
            if (c > 4) a4 = Vector256.Load(b + o4);
            if (c > 5) a5 = Vector256.Load(b + o5);
        }

        nint p = 0;
        for (; p + 1 < k; p += 2)
        {
            T* r = w + (p * n);
            T* s = r + n;
            var xa = Vector256.Create(x[p]);
            var xe = Vector256.Create(x[p + 1]);
            a0 = Fma(Vector256.Load(r + o0), xa, a0); e0 = Fma(Vector256.Load(s + o0), xe, e0);
            if (c > 1) { a1 = Fma(Vector256.Load(r + o1), xa, a1); e1 = Fma(Vector256.Load(s + o1), xe, e1); }
            if (c > 2) { a2 = Fma(Vector256.Load(r + o2), xa, a2); e2 = Fma(Vector256.Load(s + o2), xe, e2); }
            if (c > 3) { a3 = Fma(Vector256.Load(r + o3), xa, a3); e3 = Fma(Vector256.Load(s + o3), xe, e3); }
            if (c > 4) { a4 = Fma(Vector256.Load(r + o4), xa, a4); e4 = Fma(Vector256.Load(s + o4), xe, e4); }
            if (c > 5) { a5 = Fma(Vector256.Load(r + o5), xa, a5); e5 = Fma(Vector256.Load(s + o5), xe, e5); }
        }

        if (p < k)
        {
            T* r = w + (p * n);
            var xa = Vector256.Create(x[p]);
            a0 = Fma(Vector256.Load(r + o0), xa, a0);
            if (c > 1) a1 = Fma(Vector256.Load(r + o1), xa, a1);
            if (c > 2) a2 = Fma(Vector256.Load(r + o2), xa, a2);
            if (c > 3) a3 = Fma(Vector256.Load(r + o3), xa, a3);
            if (c > 4) a4 = Fma(Vector256.Load(r + o4), xa, a4);
            if (c > 5) a5 = Fma(Vector256.Load(r + o5), xa, a5);
        }

        Vector256.Store(Finish(a0 + e0, relu), y + o0);
        if (c > 1) Vector256.Store(Finish(a1 + e1, relu), y + o1);
        if (c > 2) Vector256.Store(Finish(a2 + e2, relu), y + o2);
        if (c > 3) Vector256.Store(Finish(a3 + e3, relu), y + o3);
        if (c > 4) Vector256.Store(Finish(a4 + e4, relu), y + o4);
        if (c > 5) Vector256.Store(Finish(a5 + e5, relu), y + o5);
    }

    // n < lanes: r = ⌊lanes/n⌋ consecutive rows of W per vector (2 rows of 3 floats: 6 of 8 lanes), times x[p..p+r)
    // spread so that lane l holds x[p + l/n]; lanes from r·n on carry products of the next rows and are never read.
    // r = 1 (5 to 7 floats, 3 doubles) broadcasts x[p] instead of spreading it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Packed256<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector256<T>.Count;
        var r = RowsPerVector[n] >> (Vector256<T>.Count == 8 ? 1 : 2);
        var spread = SpreadIndices256<T>(n);
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default;
            nint p = 0;

            // A step at row q reads x[q..q+lanes) and W[q·n..q·n+lanes): inside the spans while q + lanes ≤ k.
            if (r == 1)
            {
                for (; p + 3 + lanes <= k; p += 4)
                {
                    T* q = w + (p * n);
                    a0 = Fma(Vector256.Load(q), Vector256.Create(x[p]), a0);
                    a1 = Fma(Vector256.Load(q + n), Vector256.Create(x[p + 1]), a1);
                    a2 = Fma(Vector256.Load(q + (2 * n)), Vector256.Create(x[p + 2]), a2);
                    a3 = Fma(Vector256.Load(q + (3 * n)), Vector256.Create(x[p + 3]), a3);
                }
            }
            else
            {
                var used = r * n;
                for (; p + (3 * r) + lanes <= k; p += 4 * r)
                {
                    T* q = w + (p * n);
                    a0 = Fma(Vector256.Load(q), Spread(Vector256.Load(x + p), spread), a0);
                    a1 = Fma(Vector256.Load(q + used), Spread(Vector256.Load(x + p + r), spread), a1);
                    a2 = Fma(Vector256.Load(q + (2 * used)), Spread(Vector256.Load(x + p + (2 * r)), spread), a2);
                    a3 = Fma(Vector256.Load(q + (3 * used)), Spread(Vector256.Load(x + p + (3 * r)), spread), a3);
                }
            }

            for (; p + lanes <= k; p += r)
            {
                a0 = Fma(Vector256.Load(w + (p * n)), Spread(Vector256.Load(x + p), spread), a0);
            }

            if (p < k)
            {
                // the last k − p < lanes rows: masked loads (AVX, which every Vector256 machine has) read only the rows
                // that are there, the rest of the lanes as 0; a zero-padded copy was 30 % of the 100×3 layer's time
                var rows = (int)(k - p);
                for (var t = 0; t < rows; t += r)
                {
                    var wv = MaskLoad256(w + ((p + t) * n), (rows - t) * n);
                    var xv = MaskLoad256(x + p + t, rows - t);
                    a1 = Fma(wv, Spread(xv, spread), a1);
                }
            }

            T* sums = stackalloc T[Vector256<T>.Count];
            Vector256.Store((a0 + a1) + (a2 + a3), sums);
            Gather(sums, b, y, n, r, relu);
        }
    }

    // The first `count` elements at p (all lanes when count ≥ lanes), the others 0 and not read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<T> MaskLoad256<T>(T* p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mask = Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(count)));
        return typeof(T) == typeof(float)
            ? Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>()
            : Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
    }

    // y[j] = epilogue(bias[j] + Σ_i sums[i·n + j]) over the r partial sums of column j.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Gather<T>(T* sums, T* b, T* y, int n, int r, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < n; j++)
        {
            var v = b == null ? T.Zero : b[j];
            for (var i = 0; i < r; i++)
            {
                v += sums[(i * n) + j];
            }

            y[j] = relu ? T.Max(v, T.Zero) : v;
        }
    }

    // Int32 lane indices for Avx2.PermuteVar8x32 that move element l / n to element l, with l / n computed as in
    // SpreadIndices (a double is two int32 lanes: lane q of element q / 2 takes int32 2·(source) + q mod 2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<int> SpreadIndices256<T>(int n)
        where T : unmanaged
    {
        var magic = SpreadMagic[n];
        var q = Vector256<int>.Indices;
        if (Unsafe.SizeOf<T>() == sizeof(float))
        {
            return Vector256.ShiftRightLogical(q * magic, 16);
        }

        var source = Vector256.ShiftRightLogical(Vector256.ShiftRightLogical(q, 1) * magic, 16);
        return Vector256.ShiftLeft(source, 1) | (q & Vector256<int>.One);
    }

    // Vector256 is accelerated on x64 only, where it means AVX2 and so vpermps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Spread<T>(Vector256<T> v, Vector256<int> indices)
        where T : unmanaged =>
        Avx2.IsSupported
            ? Avx2.PermuteVar8x32(v.AsSingle(), indices).As<float, T>()
            : Vector256.Shuffle(v.AsInt32(), indices).As<int, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Finish<T>(Vector256<T> v, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        relu ? Vector256.Max(v, Vector256<T>.Zero) : v;

    // a·b + c in one rounding where an instruction does it (x64 FMA3, Arm AdvSimd), else multiply then add. The test is
    // written out here, not shared (see GemmKernels.Micro256.cs): through a property, x64 SSE kept every vector passed to
    // Fma in a stack slot (43 stack accesses in Stream128's loop, 784×100 at 0.46× of Gemm.MatMul with m = 1; none now).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported
            ? typeof(T) == typeof(float)
                ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
                : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
            : (a * b) + c;
}
