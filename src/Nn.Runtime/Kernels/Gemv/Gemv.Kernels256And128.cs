using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// The loops behind <see cref="Gemv"/> without AVX-512, written once for Vector256 (AVX2) and Vector128 (SSE on x64, NEON
/// on ARM64); arguments are validated by the callers. A width is a struct implementing <see cref="ISimd{T, TVec}"/>
/// (<c>Simd256</c> in Gemv.Kernels256.cs, <c>Simd128</c> in Gemv.Kernels128.cs), and the JIT and ILC compile each loop
/// once per struct, every member inlined: the same machine code as one hand-written copy per width (measured in
/// docs/benchmarks.md, "Vector widths"). What differs between the widths stays in their files: the Spread permute and
/// how Packed reads the last rows.
/// </summary>
/// <remarks>
/// Neither width has masked loads everywhere (NEON has none), so no vector reads or writes past a span:
/// <c>Wide</c> (n ≥ lanes) lays its last vector of a row to end at column n, overlapping its neighbour, whose
/// shared columns it computes with the same operations in the same order, so both store the same bits;
/// <c>Packed</c> (n &lt; lanes) reads whole vectors of W and x while they lie inside the spans, and the last rows as
/// the width can (AVX's masked loads, else a zero-padded copy).
/// </remarks>
public static partial class Gemv
{
    // Vectors of the output row per pass in Wide: 6 vectors × 2 k-chains = 12 accumulators, plus two broadcasts of x:
    // 14 of the 16 ymm/xmm registers of AVX2 and SSE (8 would spill). Wider rows go to Stream.
    private const int NarrowBlockVectors = 6;

    /// <summary>One vector width for the loops below; every member is inlined into them.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TVec">Vector256&lt;T&gt; or Vector128&lt;T&gt;.</typeparam>
    private unsafe interface ISimd<T, TVec>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
    {
        static abstract int Lanes { get; }

        // ⌊lanes/n⌋ = RowsPerVector[n] >> RowShift (RowsPerVector is ⌊16/n⌋).
        static abstract int RowShift { get; }

        static abstract TVec Zero { get; }

        static abstract TVec Load(T* p);

        static abstract void Store(TVec v, T* p);

        static abstract TVec Broadcast(T value);

        static abstract TVec Add(TVec a, TVec b);

        static abstract TVec Multiply(TVec a, TVec b);

        // a·b + c, in one rounding where the processor has an FMA instruction.
        static abstract TVec Fma(TVec a, TVec b, TVec c);

        static abstract TVec Relu(TVec v);

        // Indices (in the vector's bits) with which Spread moves element l / n to element l, for n < lanes.
        static abstract TVec SpreadIndices(int n);

        static abstract TVec Spread(TVec v, TVec indices);

        // acc + Σ over the rows < `rows` (fewer than lanes) of W[t·n..] · spread(x[t..]) in steps of r rows, reading
        // nothing past row `rows`: lanes beyond the last row's count as 0.
        static abstract TVec PackedTail(T* w, T* x, int rows, int n, int r, TVec spread, TVec acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Wide<T, TVec, TSimd>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TSimd : struct, ISimd<T, TVec>
    {
        var lanes = TSimd.Lanes;
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            var vectors = (n + lanes - 1) / lanes;
            if (vectors > NarrowBlockVectors && k >= 8)
            {
                Stream<T, TVec, TSimd>(x, w, b, y, k, n, relu);
                return;
            }

            // Register blocks of at most 6 vectors, in passes of equal width (25 vectors: 5 of 5); the last vector of the
            // last pass ends at column n (n = 10 floats on Vector256: columns 0..8 and 2..10). One pass when the row
            // fits; several when k < 8, too few rows for Stream's 8-row sweeps: 2×100 on Vector128 swept y four times
            // there (bias, two rows, ReLU), as slow as Gemm.MatMul with m = 1 (0.96–1.15× of it in four runs).
            var passes = (vectors + NarrowBlockVectors - 1) / NarrowBlockVectors;
            for (int v0 = 0, pass = 0; pass < passes; pass++)
            {
                var count = (vectors - v0 + (passes - pass) - 1) / (passes - pass);
                nint o = v0 * lanes;
                nint last = pass == passes - 1 ? n - lanes - o : (count - 1) * lanes;
                var bias = b == null ? null : b + o;
                switch (count)
                {
                    case 1: Block<T, TVec, TSimd, C1>(x, w + o, bias, y + o, k, n, last, relu); break;
                    case 2: Block<T, TVec, TSimd, C2>(x, w + o, bias, y + o, k, n, last, relu); break;
                    case 3: Block<T, TVec, TSimd, C3>(x, w + o, bias, y + o, k, n, last, relu); break;
                    case 4: Block<T, TVec, TSimd, C4>(x, w + o, bias, y + o, k, n, last, relu); break;
                    case 5: Block<T, TVec, TSimd, C5>(x, w + o, bias, y + o, k, n, last, relu); break;
                    default: Block<T, TVec, TSimd, C6>(x, w + o, bias, y + o, k, n, last, relu); break;
                }

                v0 += count;
            }
        }
    }

    // More outputs than one pass of Block holds in registers (n > 6 vectors): W is read as it lies, 8 rows at a time,
    // each row from start to end, and the output row is summed in y itself (L1) from the bias on: per vector of y, one
    // load, 8 multiply-adds on two chains (even and odd rows), one store. Passes of register blocks read W in strips of
    // 6 vectors with a 2 KB stride (n = 512) instead; measured against them in bench (`widths 300 stream`, the AVX2 EPYC
    // shared with other jobs, fastest of 300 alternating rounds): 784×512 25.2 against 34.0 µs, 512×512 16.7 against
    // 21.8 µs, 784×104 5.45 against 6.67 µs. The last n mod lanes columns are one more register block, over the last
    // vector of the row (it ends at column n), stored after the rest. Taking the bias, the k mod 8 leftover rows and
    // ReLU in the 8-row sweeps instead of sweeps of their own made 2×100 slower on AVX2 (76–80 against 40–65 ns).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stream<T, TVec, TSimd>(T* x, T* w, T* b, T* y, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TSimd : struct, ISimd<T, TVec>
    {
        nint lanes = TSimd.Lanes;
        nint full = n - (n % (int)lanes);
        for (nint j = 0; j < full; j += lanes)
        {
            TSimd.Store(b == null ? TSimd.Zero : TSimd.Load(b + j), y + j);
        }

        nint p = 0;
        nint n1 = n;
        for (; p + 7 < k; p += 8)
        {
            var x0 = TSimd.Broadcast(x[p]);
            var x1 = TSimd.Broadcast(x[p + 1]);
            var x2 = TSimd.Broadcast(x[p + 2]);
            var x3 = TSimd.Broadcast(x[p + 3]);
            var x4 = TSimd.Broadcast(x[p + 4]);
            var x5 = TSimd.Broadcast(x[p + 5]);
            var x6 = TSimd.Broadcast(x[p + 6]);
            var x7 = TSimd.Broadcast(x[p + 7]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                T* q = r + j;
                var even = TSimd.Fma(TSimd.Load(q), x0, TSimd.Load(y + j));
                var odd = TSimd.Multiply(TSimd.Load(q + n1), x1);
                even = TSimd.Fma(TSimd.Load(q + (2 * n1)), x2, even);
                odd = TSimd.Fma(TSimd.Load(q + (3 * n1)), x3, odd);
                even = TSimd.Fma(TSimd.Load(q + (4 * n1)), x4, even);
                odd = TSimd.Fma(TSimd.Load(q + (5 * n1)), x5, odd);
                even = TSimd.Fma(TSimd.Load(q + (6 * n1)), x6, even);
                odd = TSimd.Fma(TSimd.Load(q + (7 * n1)), x7, odd);
                TSimd.Store(TSimd.Add(even, odd), y + j);
            }
        }

        for (; p < k; p++)
        {
            var xp = TSimd.Broadcast(x[p]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                TSimd.Store(TSimd.Fma(TSimd.Load(r + j), xp, TSimd.Load(y + j)), y + j);
            }
        }

        if (relu)
        {
            for (nint j = 0; j < full; j += lanes)
            {
                TSimd.Store(TSimd.Relu(TSimd.Load(y + j)), y + j);
            }
        }

        if (full < n)
        {
            nint o = n - lanes;
            Block<T, TVec, TSimd, C1>(x, w + o, b == null ? null : b + o, y + o, k, n, 0, relu);
        }
    }

    // c vectors of y (c = TC.Value) in registers, vector i at column i·lanes except the last at `last`: chain a takes even
    // rows of W (and starts from the bias), chain e odd rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block<T, TVec, TSimd, TC>(T* x, T* w, T* b, T* y, int k, int n, nint last, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TSimd : struct, ISimd<T, TVec>
        where TC : struct, ICount
    {
        var c = TC.Value;
        nint l = TSimd.Lanes;
        nint o0 = c == 1 ? last : 0, o1 = c == 2 ? last : l, o2 = c == 3 ? last : 2 * l;
        nint o3 = c == 4 ? last : 3 * l, o4 = c == 5 ? last : 4 * l, o5 = c == 6 ? last : 5 * l;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero, a4 = TSimd.Zero, a5 = TSimd.Zero;
        TVec e0 = TSimd.Zero, e1 = TSimd.Zero, e2 = TSimd.Zero, e3 = TSimd.Zero, e4 = TSimd.Zero, e5 = TSimd.Zero;
        if (b != null)
        {
            a0 = TSimd.Load(b + o0);
            if (c > 1) a1 = TSimd.Load(b + o1);
            if (c > 2) a2 = TSimd.Load(b + o2);
            if (c > 3) a3 = TSimd.Load(b + o3);
            if (c > 4) a4 = TSimd.Load(b + o4);
            if (c > 5) a5 = TSimd.Load(b + o5);
        }

        nint p = 0;
        for (; p + 1 < k; p += 2)
        {
            T* r = w + (p * n);
            T* s = r + n;
            var xa = TSimd.Broadcast(x[p]);
            var xe = TSimd.Broadcast(x[p + 1]);
            a0 = TSimd.Fma(TSimd.Load(r + o0), xa, a0); e0 = TSimd.Fma(TSimd.Load(s + o0), xe, e0);
            if (c > 1) { a1 = TSimd.Fma(TSimd.Load(r + o1), xa, a1); e1 = TSimd.Fma(TSimd.Load(s + o1), xe, e1); }
            if (c > 2) { a2 = TSimd.Fma(TSimd.Load(r + o2), xa, a2); e2 = TSimd.Fma(TSimd.Load(s + o2), xe, e2); }
            if (c > 3) { a3 = TSimd.Fma(TSimd.Load(r + o3), xa, a3); e3 = TSimd.Fma(TSimd.Load(s + o3), xe, e3); }
            if (c > 4) { a4 = TSimd.Fma(TSimd.Load(r + o4), xa, a4); e4 = TSimd.Fma(TSimd.Load(s + o4), xe, e4); }
            if (c > 5) { a5 = TSimd.Fma(TSimd.Load(r + o5), xa, a5); e5 = TSimd.Fma(TSimd.Load(s + o5), xe, e5); }
        }

        if (p < k)
        {
            T* r = w + (p * n);
            var xa = TSimd.Broadcast(x[p]);
            a0 = TSimd.Fma(TSimd.Load(r + o0), xa, a0);
            if (c > 1) a1 = TSimd.Fma(TSimd.Load(r + o1), xa, a1);
            if (c > 2) a2 = TSimd.Fma(TSimd.Load(r + o2), xa, a2);
            if (c > 3) a3 = TSimd.Fma(TSimd.Load(r + o3), xa, a3);
            if (c > 4) a4 = TSimd.Fma(TSimd.Load(r + o4), xa, a4);
            if (c > 5) a5 = TSimd.Fma(TSimd.Load(r + o5), xa, a5);
        }

        TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a0, e0), relu), y + o0);
        if (c > 1) TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a1, e1), relu), y + o1);
        if (c > 2) TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a2, e2), relu), y + o2);
        if (c > 3) TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a3, e3), relu), y + o3);
        if (c > 4) TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a4, e4), relu), y + o4);
        if (c > 5) TSimd.Store(Finish<T, TVec, TSimd>(TSimd.Add(a5, e5), relu), y + o5);
    }

    // n < lanes: r = ⌊lanes/n⌋ consecutive rows of W per vector (2 rows of 3 floats on Vector256: 6 of 8 lanes), times
    // x[p..p+r) spread so that lane l holds x[p + l/n]; lanes from r·n on carry products of the next rows and are never
    // read. r = 1 (5 to 7 floats on Vector256, 3 on Vector128) broadcasts x[p] instead of spreading it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Packed<T, TVec, TSimd>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TSimd : struct, ISimd<T, TVec>
    {
        var lanes = TSimd.Lanes;
        var r = RowsPerVector[n] >> TSimd.RowShift;
        var spread = TSimd.SpreadIndices(n);
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
            nint p = 0;

            // A step at row q reads x[q..q+lanes) and W[q·n..q·n+lanes): inside the spans while q + lanes ≤ k.
            if (r == 1)
            {
                for (; p + 3 + lanes <= k; p += 4)
                {
                    T* q = w + (p * n);
                    a0 = TSimd.Fma(TSimd.Load(q), TSimd.Broadcast(x[p]), a0);
                    a1 = TSimd.Fma(TSimd.Load(q + n), TSimd.Broadcast(x[p + 1]), a1);
                    a2 = TSimd.Fma(TSimd.Load(q + (2 * n)), TSimd.Broadcast(x[p + 2]), a2);
                    a3 = TSimd.Fma(TSimd.Load(q + (3 * n)), TSimd.Broadcast(x[p + 3]), a3);
                }
            }
            else
            {
                var used = r * n;
                for (; p + (3 * r) + lanes <= k; p += 4 * r)
                {
                    T* q = w + (p * n);
                    a0 = TSimd.Fma(TSimd.Load(q), TSimd.Spread(TSimd.Load(x + p), spread), a0);
                    a1 = TSimd.Fma(TSimd.Load(q + used), TSimd.Spread(TSimd.Load(x + p + r), spread), a1);
                    a2 = TSimd.Fma(TSimd.Load(q + (2 * used)), TSimd.Spread(TSimd.Load(x + p + (2 * r)), spread), a2);
                    a3 = TSimd.Fma(TSimd.Load(q + (3 * used)), TSimd.Spread(TSimd.Load(x + p + (3 * r)), spread), a3);
                }
            }

            for (; p + lanes <= k; p += r)
            {
                a0 = TSimd.Fma(TSimd.Load(w + (p * n)), TSimd.Spread(TSimd.Load(x + p), spread), a0);
            }

            if (p < k)
            {
                a1 = TSimd.PackedTail(w + (p * n), x + p, (int)(k - p), n, r, spread, a1);
            }

            // at most 8 lanes (Vector256 of floats)
            T* sums = stackalloc T[8];
            TSimd.Store(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)), sums);
            Gather(sums, b, y, n, r, relu);
        }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Finish<T, TVec, TSimd>(TVec v, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TSimd : struct, ISimd<T, TVec> =>
        relu ? TSimd.Relu(v) : v;
}
