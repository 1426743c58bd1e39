using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// AVX-512 machines: the last, narrow panel of C (n mod 32 floats, e.g. the 4 columns left of n = 100) as 8 rows × ONE
/// vector of the narrowest width that covers it (Vector128, Vector256 or Vector512), reading the zero-padded panel with
/// its stride <c>bs</c>.
/// </summary>
/// <remarks>
/// An FMA costs the same issue slot at any width, so 8 × 1 Vector128 costs a quarter of the 8 × 2 Vector512 tile it
/// replaces: for 256×784×100 the padded panel made a quarter of the work, 28 of 128 lanes wasted. 8 accumulators are
/// just enough to cover the FMA latency (4 cycles × 2 pipes). Same contract as Micro512.
/// </remarks>
internal static partial class GemmKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512x1<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * rs);
        ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * rs);
        ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * rs);
        ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * rs);
        ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * rs);
        ref T a6 = ref Unsafe.Add(ref a, Math.Min(6, rows - 1) * rs);
        ref T a7 = ref Unsafe.Add(ref a, Math.Min(7, rows - 1) * rs);
        Vector512<T> x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default, x6 = default, x7 = default;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector512.LoadUnsafe(ref c);
            x1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
            x2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
            x3 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
            x4 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
            x5 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
            x6 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
            x7 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
        }

        nint off = 0;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            b = ref Unsafe.Add(ref b, bs);
            x0 = Fma(Vector512.Create(Unsafe.Add(ref a0, off)), b0, x0);
            x1 = Fma(Vector512.Create(Unsafe.Add(ref a1, off)), b0, x1);
            x2 = Fma(Vector512.Create(Unsafe.Add(ref a2, off)), b0, x2);
            x3 = Fma(Vector512.Create(Unsafe.Add(ref a3, off)), b0, x3);
            x4 = Fma(Vector512.Create(Unsafe.Add(ref a4, off)), b0, x4);
            x5 = Fma(Vector512.Create(Unsafe.Add(ref a5, off)), b0, x5);
            x6 = Fma(Vector512.Create(Unsafe.Add(ref a6, off)), b0, x6);
            x7 = Fma(Vector512.Create(Unsafe.Add(ref a7, off)), b0, x7);
            off += cs;
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector512.LoadUnsafe(ref bias);
            x0 += bias0; x1 += bias0; x2 += bias0; x3 += bias0; x4 += bias0; x5 += bias0; x6 += bias0; x7 += bias0;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector512.Max(x0, Vector512<T>.Zero); x1 = Vector512.Max(x1, Vector512<T>.Zero);
            x2 = Vector512.Max(x2, Vector512<T>.Zero); x3 = Vector512.Max(x3, Vector512<T>.Zero);
            x4 = Vector512.Max(x4, Vector512<T>.Zero); x5 = Vector512.Max(x5, Vector512<T>.Zero);
            x6 = Vector512.Max(x6, Vector512<T>.Zero); x7 = Vector512.Max(x7, Vector512<T>.Zero);
        }

        x0.StoreUnsafe(ref c);
        x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
        x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
        x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
        x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
        x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
        x6.StoreUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
        x7.StoreUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256x1<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * rs);
        ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * rs);
        ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * rs);
        ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * rs);
        ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * rs);
        ref T a6 = ref Unsafe.Add(ref a, Math.Min(6, rows - 1) * rs);
        ref T a7 = ref Unsafe.Add(ref a, Math.Min(7, rows - 1) * rs);
        Vector256<T> x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default, x6 = default, x7 = default;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector256.LoadUnsafe(ref c);
            x1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
            x2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
            x3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
            x4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
            x5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
            x6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
            x7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
        }

        nint off = 0;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            b = ref Unsafe.Add(ref b, bs);
            x0 = Fma(Vector256.Create(Unsafe.Add(ref a0, off)), b0, x0);
            x1 = Fma(Vector256.Create(Unsafe.Add(ref a1, off)), b0, x1);
            x2 = Fma(Vector256.Create(Unsafe.Add(ref a2, off)), b0, x2);
            x3 = Fma(Vector256.Create(Unsafe.Add(ref a3, off)), b0, x3);
            x4 = Fma(Vector256.Create(Unsafe.Add(ref a4, off)), b0, x4);
            x5 = Fma(Vector256.Create(Unsafe.Add(ref a5, off)), b0, x5);
            x6 = Fma(Vector256.Create(Unsafe.Add(ref a6, off)), b0, x6);
            x7 = Fma(Vector256.Create(Unsafe.Add(ref a7, off)), b0, x7);
            off += cs;
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector256.LoadUnsafe(ref bias);
            x0 += bias0; x1 += bias0; x2 += bias0; x3 += bias0; x4 += bias0; x5 += bias0; x6 += bias0; x7 += bias0;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector256.Max(x0, Vector256<T>.Zero); x1 = Vector256.Max(x1, Vector256<T>.Zero);
            x2 = Vector256.Max(x2, Vector256<T>.Zero); x3 = Vector256.Max(x3, Vector256<T>.Zero);
            x4 = Vector256.Max(x4, Vector256<T>.Zero); x5 = Vector256.Max(x5, Vector256<T>.Zero);
            x6 = Vector256.Max(x6, Vector256<T>.Zero); x7 = Vector256.Max(x7, Vector256<T>.Zero);
        }

        x0.StoreUnsafe(ref c);
        x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
        x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
        x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
        x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
        x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
        x6.StoreUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
        x7.StoreUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro128x1<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * rs);
        ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * rs);
        ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * rs);
        ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * rs);
        ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * rs);
        ref T a6 = ref Unsafe.Add(ref a, Math.Min(6, rows - 1) * rs);
        ref T a7 = ref Unsafe.Add(ref a, Math.Min(7, rows - 1) * rs);
        Vector128<T> x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default, x6 = default, x7 = default;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector128.LoadUnsafe(ref c);
            x1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
            x2 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
            x3 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
            x4 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
            x5 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
            x6 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
            x7 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
        }

        nint off = 0;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            b = ref Unsafe.Add(ref b, bs);
            x0 = Fma(Vector128.Create(Unsafe.Add(ref a0, off)), b0, x0);
            x1 = Fma(Vector128.Create(Unsafe.Add(ref a1, off)), b0, x1);
            x2 = Fma(Vector128.Create(Unsafe.Add(ref a2, off)), b0, x2);
            x3 = Fma(Vector128.Create(Unsafe.Add(ref a3, off)), b0, x3);
            x4 = Fma(Vector128.Create(Unsafe.Add(ref a4, off)), b0, x4);
            x5 = Fma(Vector128.Create(Unsafe.Add(ref a5, off)), b0, x5);
            x6 = Fma(Vector128.Create(Unsafe.Add(ref a6, off)), b0, x6);
            x7 = Fma(Vector128.Create(Unsafe.Add(ref a7, off)), b0, x7);
            off += cs;
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector128.LoadUnsafe(ref bias);
            x0 += bias0; x1 += bias0; x2 += bias0; x3 += bias0; x4 += bias0; x5 += bias0; x6 += bias0; x7 += bias0;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector128.Max(x0, Vector128<T>.Zero); x1 = Vector128.Max(x1, Vector128<T>.Zero);
            x2 = Vector128.Max(x2, Vector128<T>.Zero); x3 = Vector128.Max(x3, Vector128<T>.Zero);
            x4 = Vector128.Max(x4, Vector128<T>.Zero); x5 = Vector128.Max(x5, Vector128<T>.Zero);
            x6 = Vector128.Max(x6, Vector128<T>.Zero); x7 = Vector128.Max(x7, Vector128<T>.Zero);
        }

        x0.StoreUnsafe(ref c);
        x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc));
        x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
        x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
        x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
        x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
        x6.StoreUnsafe(ref Unsafe.Add(ref c, 6 * ldc));
        x7.StoreUnsafe(ref Unsafe.Add(ref c, 7 * ldc));
    }
}
