using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>The packed-rows kernel behind <see cref="Gemv.Packed{T}"/>: several rows of a narrow W per vector.</summary>
public static partial class Gemv
{
    // n ≤ lanes/2: r = ⌊lanes/n⌋ rows of W are r·n consecutive elements, read as one vector (5 rows of 3 floats: 15 of 16
    // lanes). The matching x[p..p+r) are loaded as one vector and spread so that lane l holds x[p + l/n] (one permute).
    // Lane l of the accumulators then sums column l mod n; the r partial sums of each column are added at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackedKernel<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ws, ReadOnlySpan<T> bs, Span<T> ys, int k, int n, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = RowsPerVector[n] >> (Vector512<T>.Count == 16 ? 0 : 1);
        var used = r * n;
        var mw = Mask<T>(used);
        var mx = Mask<T>(r);
        var spread = SpreadIndices<T>(n);
        fixed (T* x = xs)
        fixed (T* w = ws)
        fixed (T* b = bs)
        fixed (T* y = ys)
        {
            Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default;
            nint p = 0;
            for (; p + (4 * r) <= k; p += 4 * r)
            {
                T* q = w + (p * n);
                a0 = Fma(MaskLoad(q, mw), Spread(MaskLoad(x + p, mx), spread), a0);
                a1 = Fma(MaskLoad(q + used, mw), Spread(MaskLoad(x + p + r, mx), spread), a1);
                a2 = Fma(MaskLoad(q + (2 * used), mw), Spread(MaskLoad(x + p + (2 * r), mx), spread), a2);
                a3 = Fma(MaskLoad(q + (3 * used), mw), Spread(MaskLoad(x + p + (3 * r), mx), spread), a3);
            }

            for (; p + r <= k; p += r)
            {
                a0 = Fma(MaskLoad(w + (p * n), mw), Spread(MaskLoad(x + p, mx), spread), a0);
            }

            if (p < k)
            {
                // the last k − p < r rows: fewer lanes of W, fewer values of x
                var left = (int)(k - p);
                a0 = Fma(MaskLoad(w + (p * n), Mask<T>(left * n)), Spread(MaskLoad(x + p, Mask<T>(left)), spread), a0);
            }

            T* sums = stackalloc T[Vector512<T>.Count];
            Vector512.Store((a0 + a1) + (a2 + a3), sums);
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
    }

    // ⌊16/n⌋ and ⌈2¹⁶/n⌉ for n = 1..8, from tables: two integer divisions cost more than the 100×3 layer's loop.
    private static ReadOnlySpan<byte> RowsPerVector => [0, 16, 8, 5, 4, 3, 2, 2, 2];

    private static ReadOnlySpan<int> SpreadMagic => [0, 65536, 32768, 21846, 16384, 13108, 10923, 9363, 8192];

    // Lane l → l / n, computed as (l · ⌈2¹⁶/n⌉) >> 16, exact for l < 16 and n ≤ 8 (no vector integer division).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<T> SpreadIndices<T>(int n)
        where T : unmanaged
    {
        var magic = SpreadMagic[n];
        return typeof(T) == typeof(float)
            ? Vector512.ShiftRightLogical(Vector512<int>.Indices * magic, 16).As<int, T>()
            : Vector512.ShiftRightLogical(Vector512<long>.Indices * magic, 16).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Spread<T>(Vector512<T> v, Vector512<T> indices)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Avx512F.PermuteVar16x32(v.AsSingle(), indices.AsInt32()).As<float, T>()
            : Avx512F.PermuteVar8x64(v.AsDouble(), indices.AsInt64()).As<double, T>();
}
