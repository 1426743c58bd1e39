using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The Vector128 loops behind <see cref="Gemv"/>: NEON on ARM64, SSE on x64 without AVX2. The same two loops as
/// Gemv.Kernels256.cs (read its remarks), on 4 floats or 2 doubles; without an FMA instruction (x64 SSE) each step
/// multiplies, then adds.
/// </summary>
public static partial class Gemv
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Wide128<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector128<T>.Count;
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            var vectors = (n + lanes - 1) / lanes;
            if (vectors > NarrowBlockVectors)
            {
                Stream128(x, w, b, y, k, n, relu);
                return;
            }

            // one register block; its last vector ends at column n (n = 10 floats: columns 0..4, 4..8 and 6..10)
            nint last = n - lanes;
            switch (vectors)
            {
                case 1: Block128<T, C1>(x, w, b, y, k, n, last, relu); break;
                case 2: Block128<T, C2>(x, w, b, y, k, n, last, relu); break;
                case 3: Block128<T, C3>(x, w, b, y, k, n, last, relu); break;
                case 4: Block128<T, C4>(x, w, b, y, k, n, last, relu); break;
                case 5: Block128<T, C5>(x, w, b, y, k, n, last, relu); break;
                default: Block128<T, C6>(x, w, b, y, k, n, last, relu); break;
            }
        }
    }

    // More outputs than one pass of Block128 holds in registers (n > 24 floats): the loop of Stream256 (read its
    // comment) on Vector128.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stream128<T>(T* x, T* w, T* b, T* y, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint lanes = Vector128<T>.Count;
        nint full = n - (n % (int)lanes);
        for (nint j = 0; j < full; j += lanes)
        {
            Vector128.Store(b == null ? Vector128<T>.Zero : Vector128.Load(b + j), y + j);
        }

        nint p = 0;
        nint n1 = n;
        for (; p + 7 < k; p += 8)
        {
            var x0 = Vector128.Create(x[p]);
            var x1 = Vector128.Create(x[p + 1]);
            var x2 = Vector128.Create(x[p + 2]);
            var x3 = Vector128.Create(x[p + 3]);
            var x4 = Vector128.Create(x[p + 4]);
            var x5 = Vector128.Create(x[p + 5]);
            var x6 = Vector128.Create(x[p + 6]);
            var x7 = Vector128.Create(x[p + 7]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                T* q = r + j;
                var even = Fma(Vector128.Load(q), x0, Vector128.Load(y + j));
                var odd = Vector128.Load(q + n1) * x1;
                even = Fma(Vector128.Load(q + (2 * n1)), x2, even);
                odd = Fma(Vector128.Load(q + (3 * n1)), x3, odd);
                even = Fma(Vector128.Load(q + (4 * n1)), x4, even);
                odd = Fma(Vector128.Load(q + (5 * n1)), x5, odd);
                even = Fma(Vector128.Load(q + (6 * n1)), x6, even);
                odd = Fma(Vector128.Load(q + (7 * n1)), x7, odd);
                Vector128.Store(even + odd, y + j);
            }
        }

        for (; p < k; p++)
        {
            var xp = Vector128.Create(x[p]);
            T* r = w + (p * n1);
            for (nint j = 0; j < full; j += lanes)
            {
                Vector128.Store(Fma(Vector128.Load(r + j), xp, Vector128.Load(y + j)), y + j);
            }
        }

        if (relu)
        {
            for (nint j = 0; j < full; j += lanes)
            {
                Vector128.Store(Vector128.Max(Vector128.Load(y + j), Vector128<T>.Zero), y + j);
            }
        }

        if (full < n)
        {
            nint o = n - lanes;
            Block128<T, C1>(x, w + o, b == null ? null : b + o, y + o, k, n, 0, relu);
        }
    }

    // c vectors of y (c = TC.Value) in registers, vector i at column i·lanes except the last at `last`: chain a takes even
    // rows of W (and starts from the bias), chain e odd rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block128<T, TC>(T* x, T* w, T* b, T* y, int k, int n, nint last, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TC : struct, ICount
    {
        var c = TC.Value;
        nint l = Vector128<T>.Count;
        nint o0 = c == 1 ? last : 0, o1 = c == 2 ? last : l, o2 = c == 3 ? last : 2 * l;
        nint o3 = c == 4 ? last : 3 * l, o4 = c == 5 ? last : 4 * l, o5 = c == 6 ? last : 5 * l;
        Vector128<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector128<T> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default;
        if (b != null)
        {
            a0 = Vector128.Load(b + o0);
            if (c > 1) a1 = Vector128.Load(b + o1);
            if (c > 2) a2 = Vector128.Load(b + o2);
            if (c > 3) a3 = Vector128.Load(b + o3);
            if (c > 4) a4 = Vector128.Load(b + o4);
            if (c > 5) a5 = Vector128.Load(b + o5);
        }

        nint p = 0;
        for (; p + 1 < k; p += 2)
        {
            T* r = w + (p * n);
            T* s = r + n;
            var xa = Vector128.Create(x[p]);
            var xe = Vector128.Create(x[p + 1]);
            a0 = Fma(Vector128.Load(r + o0), xa, a0); e0 = Fma(Vector128.Load(s + o0), xe, e0);
            if (c > 1) { a1 = Fma(Vector128.Load(r + o1), xa, a1); e1 = Fma(Vector128.Load(s + o1), xe, e1); }
            if (c > 2) { a2 = Fma(Vector128.Load(r + o2), xa, a2); e2 = Fma(Vector128.Load(s + o2), xe, e2); }
            if (c > 3) { a3 = Fma(Vector128.Load(r + o3), xa, a3); e3 = Fma(Vector128.Load(s + o3), xe, e3); }
            if (c > 4) { a4 = Fma(Vector128.Load(r + o4), xa, a4); e4 = Fma(Vector128.Load(s + o4), xe, e4); }
            if (c > 5) { a5 = Fma(Vector128.Load(r + o5), xa, a5); e5 = Fma(Vector128.Load(s + o5), xe, e5); }
        }

        if (p < k)
        {
            T* r = w + (p * n);
            var xa = Vector128.Create(x[p]);
            a0 = Fma(Vector128.Load(r + o0), xa, a0);
            if (c > 1) a1 = Fma(Vector128.Load(r + o1), xa, a1);
            if (c > 2) a2 = Fma(Vector128.Load(r + o2), xa, a2);
            if (c > 3) a3 = Fma(Vector128.Load(r + o3), xa, a3);
            if (c > 4) a4 = Fma(Vector128.Load(r + o4), xa, a4);
            if (c > 5) a5 = Fma(Vector128.Load(r + o5), xa, a5);
        }

        Vector128.Store(Finish(a0 + e0, relu), y + o0);
        if (c > 1) Vector128.Store(Finish(a1 + e1, relu), y + o1);
        if (c > 2) Vector128.Store(Finish(a2 + e2, relu), y + o2);
        if (c > 3) Vector128.Store(Finish(a3 + e3, relu), y + o3);
        if (c > 4) Vector128.Store(Finish(a4 + e4, relu), y + o4);
        if (c > 5) Vector128.Store(Finish(a5 + e5, relu), y + o5);
    }

    // n < lanes: r = ⌊lanes/n⌋ consecutive rows of W per vector (2 rows of 2 floats: 4 of 4 lanes), times x[p..p+r)
    // spread so that lane l holds x[p + l/n]; lanes from r·n on carry products of the next rows and are never read.
    // r = 1 (3 floats) broadcasts x[p] instead of spreading it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Packed128<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector128<T>.Count;
        var r = RowsPerVector[n] >> (Vector128<T>.Count == 4 ? 2 : 3);
        var spread = SpreadIndices128<T>(n);
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            Vector128<T> a0 = default, a1 = default, a2 = default, a3 = default;
            nint p = 0;

            // A step at row q reads x[q..q+lanes) and W[q·n..q·n+lanes): inside the spans while q + lanes ≤ k.
            if (r == 1)
            {
                for (; p + 3 + lanes <= k; p += 4)
                {
                    T* q = w + (p * n);
                    a0 = Fma(Vector128.Load(q), Vector128.Create(x[p]), a0);
                    a1 = Fma(Vector128.Load(q + n), Vector128.Create(x[p + 1]), a1);
                    a2 = Fma(Vector128.Load(q + (2 * n)), Vector128.Create(x[p + 2]), a2);
                    a3 = Fma(Vector128.Load(q + (3 * n)), Vector128.Create(x[p + 3]), a3);
                }
            }
            else
            {
                var used = r * n;
                for (; p + (3 * r) + lanes <= k; p += 4 * r)
                {
                    T* q = w + (p * n);
                    a0 = Fma(Vector128.Load(q), Spread(Vector128.Load(x + p), spread), a0);
                    a1 = Fma(Vector128.Load(q + used), Spread(Vector128.Load(x + p + r), spread), a1);
                    a2 = Fma(Vector128.Load(q + (2 * used)), Spread(Vector128.Load(x + p + (2 * r)), spread), a2);
                    a3 = Fma(Vector128.Load(q + (3 * used)), Spread(Vector128.Load(x + p + (3 * r)), spread), a3);
                }
            }

            for (; p + lanes <= k; p += r)
            {
                a0 = Fma(Vector128.Load(w + (p * n)), Spread(Vector128.Load(x + p), spread), a0);
            }

            if (p < k)
            {
                // the last k − p < lanes rows, from zero-padded copies: padding rows add 0·0
                var rows = (int)(k - p);
                T* wt = stackalloc T[(lanes * lanes) + lanes];
                T* xt = stackalloc T[2 * lanes];
                new Span<T>(wt, (rows * n) + lanes).Clear();
                new Span<T>(xt, 2 * lanes).Clear();
                new ReadOnlySpan<T>(w + (p * n), rows * n).CopyTo(new Span<T>(wt, rows * n));
                new ReadOnlySpan<T>(x + p, rows).CopyTo(new Span<T>(xt, rows));
                for (var t = 0; t < rows; t += r)
                {
                    a1 = Fma(Vector128.Load(wt + (t * n)), Spread(Vector128.Load(xt + t), spread), a1);
                }
            }

            T* sums = stackalloc T[Vector128<T>.Count];
            Vector128.Store((a0 + a1) + (a2 + a3), sums);
            Gather(sums, b, y, n, r, relu);
        }
    }

    // Byte indices that move element l / n to element l, for n < lanes: 1 to 3 floats, 1 double (a table, no division).
    private static Vector128<byte> SpreadIndices128<T>(int n)
        where T : unmanaged =>
        Vector128.Create(SpreadBytes.Slice((Unsafe.SizeOf<T>() == sizeof(float) ? n : 1) * 16, 16));

    // Rows n = 1, 2, 3 for floats (element l takes l / n), byte by byte; row 1 (identity) also serves one double.
    private static ReadOnlySpan<byte> SpreadBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7,
        0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7,
    ];

    // pshufb (SSSE3) or tbl (NEON); the portable Shuffle elsewhere.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Spread<T>(Vector128<T> v, Vector128<byte> indices)
        where T : unmanaged
    {
        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(v.AsByte(), indices).As<byte, T>();
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.VectorTableLookup(v.AsByte(), indices).As<byte, T>();
        }

        return Vector128.Shuffle(v.AsByte(), indices).As<byte, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Finish<T>(Vector128<T> v, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        relu ? Vector128.Max(v, Vector128<T>.Zero) : v;

    // a·b + c in one rounding where an instruction does it (x64 FMA3, Arm AdvSimd), else multiply then add. The test is
    // written out here, not shared (see GemmKernels.Micro256.cs): through a property, x64 SSE kept every vector passed to
    // Fma in a stack slot (43 stack accesses in Stream128's loop, 784×100 at 0.46× of Gemm.MatMul with m = 1; none now).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported
            ? typeof(T) == typeof(float)
                ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
                : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
            : (a * b) + c;
}
