using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// Packing B's k-block into NR-column panels, and the per-thread buffers the packing and the edge tiles use.
/// </summary>
internal static partial class GemmKernels
{
    /// <summary>
    /// Copies B[pc .. pc+kc, jc .. jc+ncb] (or, for A·Bᵀ, the same block of Bᵀ) into panels of nr columns: panel q holds
    /// rows p = 0 .. kc−1 of columns jc + q·nr …, nr contiguous values per row, zeros past the last column. The kernel then
    /// reads one contiguous stream (no 4 KB-stride aliasing of B's rows in L1: reading B in place, 1024³ ran at
    /// 34 GFLOP/s) and the transpose of A·Bᵀ costs this copy only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackB<T>(in Product pr, int pc, int kc, int jc, int ncb, int nr, ref T packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* b = (T*)pr.B;
        int n = pr.N, k = pr.K;
        for (var jr = 0; jr < ncb; jr += nr)
        {
            ref T panel = ref Unsafe.Add(ref packed, jr * kc);
            var cols = Math.Min(nr, ncb - jr);
            if (pr.BTransposed)
            {
                PackTransposed(b + ((nint)(jc + jr) * k) + pc, k, kc, cols, nr, ref panel);
            }
            else if (cols == nr)
            {
                T* src = b + ((nint)pc * n) + jc + jr;
                for (var p = 0; p < kc; p++, src += n)
                {
                    CopyRow(ref Unsafe.AsRef<T>(src), ref Unsafe.Add(ref panel, p * nr));
                }
            }
            else
            {
                T* src = b + ((nint)pc * n) + jc + jr;
                for (var p = 0; p < kc; p++, src += n)
                {
                    var row = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panel, p * nr), nr);
                    new ReadOnlySpan<T>(src, cols).CopyTo(row);
                    row.Slice(cols).Clear();
                }
            }
        }
    }

    // One row of a full panel: two vectors of the kernel's width (128 bytes with AVX-512), no call into memmove.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow<T>(ref T source, ref T destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Use512)
        {
            Vector512.LoadUnsafe(ref source).StoreUnsafe(ref destination);
            Vector512.LoadUnsafe(ref source, (nuint)Vector512<T>.Count).StoreUnsafe(ref destination, (nuint)Vector512<T>.Count);
        }
        else if (Use256)
        {
            Vector256.LoadUnsafe(ref source).StoreUnsafe(ref destination);
            Vector256.LoadUnsafe(ref source, (nuint)Vector256<T>.Count).StoreUnsafe(ref destination, (nuint)Vector256<T>.Count);
        }
        else
        {
            Vector128.LoadUnsafe(ref source).StoreUnsafe(ref destination);
            Vector128.LoadUnsafe(ref source, (nuint)Vector128<T>.Count).StoreUnsafe(ref destination, (nuint)Vector128<T>.Count);
        }
    }

    // Bᵀ stored [n×k]: column j of the panel is the contiguous row jc + jr + j of the stored matrix. Padding columns are zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackTransposed<T>(T* source, int k, int kc, int cols, int nr, ref T panel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < nr; j++)
        {
            ref T column = ref Unsafe.Add(ref panel, j);
            if (j >= cols)
            {
                for (var p = 0; p < kc; p++)
                {
                    Unsafe.Add(ref column, p * nr) = T.Zero;
                }

                continue;
            }

            T* row = source + ((nint)j * k);
            for (var p = 0; p < kc; p++)
            {
                Unsafe.Add(ref column, p * nr) = row[p];
            }
        }
    }

    /// <summary>
    /// A thread's packed-B block and edge-tile scratch: allocated on first use, then reused (0 bytes per call). The
    /// worker's set is allocated by the caller that first hands it a product of this T, so that the allocation happens
    /// inside that (warm-up) call and never later, on the worker's own time.
    /// </summary>
    private sealed class Buffers<T>
    {
        [ThreadStatic]
        private static Buffers<T>? t_current;

        private static Buffers<T>? s_worker;

        private Buffers()
        {
            Packed = new T[Kc * Nc<T>()];
            Scratch = new T[(Mr * Nr<T>()) + Nr<T>()];
        }

        public T[] Packed { get; }

        public T[] Scratch { get; }

        public static Buffers<T> ForThisThread() => t_isWorker ? s_worker! : (t_current ??= new Buffers<T>());

        public static void EnsureWorker() => s_worker ??= new Buffers<T>();
    }
}
