using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// <see cref="NarrowRows512{T, TN}"/>: NarrowRows (GemmKernels.Narrow.cs) on 512-bit vectors, for AVX-512 machines,
/// where <see cref="System.Numerics.Vector{T}"/> stays 256 bits wide.
/// </summary>
/// <remarks>
/// The same body with the vector type changed (a .NET 10 kernel cannot be generic over the vector width): keep the two
/// alike. Twice the lanes per FMA matter for the last 4 columns of a 100-wide layer, which ran at 8 lanes: with this
/// kernel the whole 256×784×100 product took 210–218 µs against 231–240 µs (Stopwatch loop, alternating runs).
/// </remarks>
internal static partial class GemmKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowRows512<T, TN>(ref T a, nint lda, ref T bt, ref T c, nint ldc, int m, int k, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TN : struct, IColumns
    {
        var n = TN.Value;
        var w = Vector512<T>.Count;
        for (var i = 0; i < m; i += 4)
        {
            // rows past m read the last row again and are not stored
            ref T r0 = ref Unsafe.Add(ref a, i * lda);
            ref T r1 = ref Unsafe.Add(ref a, Math.Min(i + 1, m - 1) * lda);
            ref T r2 = ref Unsafe.Add(ref a, Math.Min(i + 2, m - 1) * lda);
            ref T r3 = ref Unsafe.Add(ref a, Math.Min(i + 3, m - 1) * lda);
            Vector512<T> x00 = default, x10 = default, x20 = default, x30 = default;
            Vector512<T> x01 = default, x11 = default, x21 = default, x31 = default;
            Vector512<T> x02 = default, x12 = default, x22 = default, x32 = default;
            Vector512<T> x03 = default, x13 = default, x23 = default, x33 = default;
            Vector512<T> x04 = default, x14 = default, x24 = default, x34 = default;
            Vector512<T> x05 = default, x15 = default, x25 = default, x35 = default;
            Vector512<T> x06 = default, x16 = default, x26 = default, x36 = default;
            var p = 0;
            for (; p + w <= k; p += w)
            {
                var v0 = Vector512.LoadUnsafe(ref r0, (nuint)p);
                var v1 = Vector512.LoadUnsafe(ref r1, (nuint)p);
                var v2 = Vector512.LoadUnsafe(ref r2, (nuint)p);
                var v3 = Vector512.LoadUnsafe(ref r3, (nuint)p);
                if (n > 0) { var b0 = Vector512.LoadUnsafe(ref bt, (nuint)(0 * k + p)); x00 = Fma(v0, b0, x00); x10 = Fma(v1, b0, x10); x20 = Fma(v2, b0, x20); x30 = Fma(v3, b0, x30); }
                if (n > 1) { var b1 = Vector512.LoadUnsafe(ref bt, (nuint)(1 * k + p)); x01 = Fma(v0, b1, x01); x11 = Fma(v1, b1, x11); x21 = Fma(v2, b1, x21); x31 = Fma(v3, b1, x31); }
                if (n > 2) { var b2 = Vector512.LoadUnsafe(ref bt, (nuint)(2 * k + p)); x02 = Fma(v0, b2, x02); x12 = Fma(v1, b2, x12); x22 = Fma(v2, b2, x22); x32 = Fma(v3, b2, x32); }
                if (n > 3) { var b3 = Vector512.LoadUnsafe(ref bt, (nuint)(3 * k + p)); x03 = Fma(v0, b3, x03); x13 = Fma(v1, b3, x13); x23 = Fma(v2, b3, x23); x33 = Fma(v3, b3, x33); }
                if (n > 4) { var b4 = Vector512.LoadUnsafe(ref bt, (nuint)(4 * k + p)); x04 = Fma(v0, b4, x04); x14 = Fma(v1, b4, x14); x24 = Fma(v2, b4, x24); x34 = Fma(v3, b4, x34); }
                if (n > 5) { var b5 = Vector512.LoadUnsafe(ref bt, (nuint)(5 * k + p)); x05 = Fma(v0, b5, x05); x15 = Fma(v1, b5, x15); x25 = Fma(v2, b5, x25); x35 = Fma(v3, b5, x35); }
                if (n > 6) { var b6 = Vector512.LoadUnsafe(ref bt, (nuint)(6 * k + p)); x06 = Fma(v0, b6, x06); x16 = Fma(v1, b6, x16); x26 = Fma(v2, b6, x26); x36 = Fma(v3, b6, x36); }
            }

            // the k-tail as one more vector ending at k: lanes already summed (below p) are zeroed in A's vectors
            if (p < k)
            {
                var q = k - w;
                var fresh = Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(p - q)));
                var v0 = Vector512.ConditionalSelect(fresh, Vector512.LoadUnsafe(ref r0, (nuint)q), Vector512<T>.Zero);
                var v1 = Vector512.ConditionalSelect(fresh, Vector512.LoadUnsafe(ref r1, (nuint)q), Vector512<T>.Zero);
                var v2 = Vector512.ConditionalSelect(fresh, Vector512.LoadUnsafe(ref r2, (nuint)q), Vector512<T>.Zero);
                var v3 = Vector512.ConditionalSelect(fresh, Vector512.LoadUnsafe(ref r3, (nuint)q), Vector512<T>.Zero);
                if (n > 0) { var b0 = Vector512.LoadUnsafe(ref bt, (nuint)(0 * k + q)); x00 = Fma(v0, b0, x00); x10 = Fma(v1, b0, x10); x20 = Fma(v2, b0, x20); x30 = Fma(v3, b0, x30); }
                if (n > 1) { var b1 = Vector512.LoadUnsafe(ref bt, (nuint)(1 * k + q)); x01 = Fma(v0, b1, x01); x11 = Fma(v1, b1, x11); x21 = Fma(v2, b1, x21); x31 = Fma(v3, b1, x31); }
                if (n > 2) { var b2 = Vector512.LoadUnsafe(ref bt, (nuint)(2 * k + q)); x02 = Fma(v0, b2, x02); x12 = Fma(v1, b2, x12); x22 = Fma(v2, b2, x22); x32 = Fma(v3, b2, x32); }
                if (n > 3) { var b3 = Vector512.LoadUnsafe(ref bt, (nuint)(3 * k + q)); x03 = Fma(v0, b3, x03); x13 = Fma(v1, b3, x13); x23 = Fma(v2, b3, x23); x33 = Fma(v3, b3, x33); }
                if (n > 4) { var b4 = Vector512.LoadUnsafe(ref bt, (nuint)(4 * k + q)); x04 = Fma(v0, b4, x04); x14 = Fma(v1, b4, x14); x24 = Fma(v2, b4, x24); x34 = Fma(v3, b4, x34); }
                if (n > 5) { var b5 = Vector512.LoadUnsafe(ref bt, (nuint)(5 * k + q)); x05 = Fma(v0, b5, x05); x15 = Fma(v1, b5, x15); x25 = Fma(v2, b5, x25); x35 = Fma(v3, b5, x35); }
                if (n > 6) { var b6 = Vector512.LoadUnsafe(ref bt, (nuint)(6 * k + q)); x06 = Fma(v0, b6, x06); x16 = Fma(v1, b6, x16); x26 = Fma(v2, b6, x26); x36 = Fma(v3, b6, x36); }
            }

            // no call may come while the accumulators are live: with one after the loop (the scalar k-tail), the register
            // allocator stored all 12 to the stack on every k step (spill at definition), as costly as the FMAs
            T s00 = Vector512.Sum(x00), s10 = Vector512.Sum(x10), s20 = Vector512.Sum(x20), s30 = Vector512.Sum(x30);
            T s01 = n > 1 ? Vector512.Sum(x01) : T.Zero, s11 = n > 1 ? Vector512.Sum(x11) : T.Zero, s21 = n > 1 ? Vector512.Sum(x21) : T.Zero, s31 = n > 1 ? Vector512.Sum(x31) : T.Zero;
            T s02 = n > 2 ? Vector512.Sum(x02) : T.Zero, s12 = n > 2 ? Vector512.Sum(x12) : T.Zero, s22 = n > 2 ? Vector512.Sum(x22) : T.Zero, s32 = n > 2 ? Vector512.Sum(x32) : T.Zero;
            T s03 = n > 3 ? Vector512.Sum(x03) : T.Zero, s13 = n > 3 ? Vector512.Sum(x13) : T.Zero, s23 = n > 3 ? Vector512.Sum(x23) : T.Zero, s33 = n > 3 ? Vector512.Sum(x33) : T.Zero;
            T s04 = n > 4 ? Vector512.Sum(x04) : T.Zero, s14 = n > 4 ? Vector512.Sum(x14) : T.Zero, s24 = n > 4 ? Vector512.Sum(x24) : T.Zero, s34 = n > 4 ? Vector512.Sum(x34) : T.Zero;
            T s05 = n > 5 ? Vector512.Sum(x05) : T.Zero, s15 = n > 5 ? Vector512.Sum(x15) : T.Zero, s25 = n > 5 ? Vector512.Sum(x25) : T.Zero, s35 = n > 5 ? Vector512.Sum(x35) : T.Zero;
            T s06 = n > 6 ? Vector512.Sum(x06) : T.Zero, s16 = n > 6 ? Vector512.Sum(x16) : T.Zero, s26 = n > 6 ? Vector512.Sum(x26) : T.Zero, s36 = n > 6 ? Vector512.Sum(x36) : T.Zero;
            var rows = Math.Min(4, m - i);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 0), s00, ref bias, 0, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 0), s10, ref bias, 0, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 0), s20, ref bias, 0, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 0), s30, ref bias, 0, flags);
            }
            if (n > 1)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 1), s01, ref bias, 1, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 1), s11, ref bias, 1, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 1), s21, ref bias, 1, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 1), s31, ref bias, 1, flags);
            }
            if (n > 2)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 2), s02, ref bias, 2, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 2), s12, ref bias, 2, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 2), s22, ref bias, 2, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 2), s32, ref bias, 2, flags);
            }
            if (n > 3)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 3), s03, ref bias, 3, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 3), s13, ref bias, 3, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 3), s23, ref bias, 3, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 3), s33, ref bias, 3, flags);
            }
            if (n > 4)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 4), s04, ref bias, 4, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 4), s14, ref bias, 4, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 4), s24, ref bias, 4, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 4), s34, ref bias, 4, flags);
            }
            if (n > 5)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 5), s05, ref bias, 5, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 5), s15, ref bias, 5, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 5), s25, ref bias, 5, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 5), s35, ref bias, 5, flags);
            }
            if (n > 6)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 6), s06, ref bias, 6, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 6), s16, ref bias, 6, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 6), s26, ref bias, 6, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 6), s36, ref bias, 6, flags);
            }
        }
    }
}
