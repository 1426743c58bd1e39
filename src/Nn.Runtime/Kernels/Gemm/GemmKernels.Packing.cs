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
    /// Copies B[pc .. pc+kc, jc .. jc+ncb] (or, for A·Bᵀ, the same block of Bᵀ) into panels of nr columns: panel q starts
    /// at q · <see cref="PanelStride"/> and holds rows p = 0 .. kc−1 of columns jc + q·nr …, nr contiguous values per row,
    /// zeros past the last column. The kernel then reads one contiguous stream (no 4 KB-stride aliasing of B's rows in
    /// L1: reading B in place, 1024³ ran at 34 GFLOP/s) and the transpose of A·Bᵀ costs this copy only.
    /// </summary>
    /// <remarks>
    /// B is read row by row, each row once from left to right, and its pieces go to every panel. Packing panel by panel
    /// instead read one 64-byte piece per row of B, kc rows 400–2,048 bytes apart: the hardware prefetchers did not
    /// follow, and that packing took 9–12 % of 256×784×512, 256×512×512 and 256×3072×100 on one AVX2 thread (perf;
    /// docs/benchmarks.md). The panels are one row (nr values) longer than kc rows so that the rows written together,
    /// one per panel, do not all fall in the same L1 set (kc · 64 bytes is a multiple of 4 KB for kc = 256).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackB<T>(in Product pr, int pc, int kc, int jc, int ncb, int nr, ref T packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* b = (T*)pr.B;
        int n = pr.N, k = pr.K;
        var stride = PanelStride(kc, nr);
        if (pr.BTransposed)
        {
            for (var jr = 0; jr < ncb; jr += nr)
            {
                PackTransposed(b + ((nint)(jc + jr) * k) + pc, k, kc, Math.Min(nr, ncb - jr), nr, ref Unsafe.Add(ref packed, (jr / nr) * stride));
            }

            return;
        }

        var full = ncb / nr;
        var cols = ncb - (full * nr);
        T* src = b + ((nint)pc * n) + jc;
        for (var p = 0; p < kc; p++, src += n)
        {
            ref T row = ref Unsafe.Add(ref packed, p * nr);
            for (var q = 0; q < full; q++)
            {
                CopyRow(ref Unsafe.AsRef<T>(src + (q * nr)), ref Unsafe.Add(ref row, q * stride));
            }

            if (cols > 0)
            {
                var last = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, full * stride), nr);
                new ReadOnlySpan<T>(src + (full * nr), cols).CopyTo(last);
                last.Slice(cols).Clear();
            }
        }
    }

    /// <summary>k values per block of a packed sliver of A: one Vector256 of floats per row, copied whole.</summary>
    internal const int AKBlock = 8;

    /// <summary>Values of one packed sliver of A (6 rows × kc rounded up to whole <see cref="AKBlock"/>s).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SliverSize(int kc) => 6 * AKBlock * ((kc + AKBlock - 1) / AKBlock);

    /// <summary>
    /// Copies A[ic .. icEnd, pc .. pc+kc] (A·B with A's rows contiguous) into slivers of 6 rows for
    /// <see cref="Micro256Packed{T}"/>: sliver s at s · <see cref="SliverSize"/>, k cut into blocks of
    /// <see cref="AKBlock"/>, each block the 6 rows' 8 values one row after the other (row r of block q at
    /// q·48 + r·8). Rows past icEnd are zeros. Each row's 8 values are one or two vector copies, so packing A costs
    /// about what reading it does; a layout of 6 values per k (BLIS's) would need a transpose per 6 × 8 block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackA<T>(in Product pr, int ic, int icEnd, int pc, int kc, ref T packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = (T*)pr.A;
        var size = SliverSize(kc);
        var full = kc / AKBlock;
        for (var ir = ic; ir < icEnd; ir += 6, packed = ref Unsafe.Add(ref packed, size))
        {
            for (var r = 0; r < 6; r++)
            {
                ref T row = ref Unsafe.Add(ref packed, r * AKBlock);
                if (ir + r >= icEnd)
                {
                    for (var q = 0; q < size / (6 * AKBlock); q++)
                    {
                        MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, q * 6 * AKBlock), AKBlock).Clear();
                    }

                    continue;
                }

                T* src = a + ((ir + r) * pr.ARowStride) + pc;
                for (var q = 0; q < full; q++)
                {
                    ref T s = ref Unsafe.AsRef<T>(src + (q * AKBlock));
                    ref T d = ref Unsafe.Add(ref row, q * 6 * AKBlock);
                    for (var v = 0; v < AKBlock; v += Vector256<T>.Count)
                    {
                        Vector256.LoadUnsafe(ref s, (nuint)v).StoreUnsafe(ref d, (nuint)v);
                    }
                }

                if (kc > full * AKBlock)
                {
                    new ReadOnlySpan<T>(src + (full * AKBlock), kc - (full * AKBlock)).CopyTo(
                        MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, full * 6 * AKBlock), AKBlock));
                }
            }
        }
    }

    /// <summary>Distance between two packed panels of B: kc rows of nr values, and one row more (see PackB).</summary>
    internal static nint PanelStride(int kc, int nr) => (nint)(kc + 1) * nr;

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
    /// A thread's packed-B block, packed-A block (AVX2) and edge-tile scratch: allocated on first use, then reused (0 bytes per call). The
    /// worker's set is allocated by the caller that first hands it a product of this T, so that the allocation happens
    /// inside that (warm-up) call and never later, on the worker's own time.
    /// </summary>
    private sealed class Buffers<T>
    {
        [ThreadStatic]
        private static Buffers<T>? t_current;

        private static Buffers<T>? s_worker;

        private readonly T[] _packed;
        private readonly T[] _packedA;
        private readonly int _packedStart;
        private readonly int _packedAStart;

        private Buffers()
        {
            (_packed, _packedStart) = Aligned((Kc + 1) * Nc<T>());
            (_packedA, _packedAStart) = Use256 ? Aligned((Mc<T>() / 6) * SliverSize(Kc)) : (Array.Empty<T>(), 0);
            Scratch = new T[(Mr * Nr<T>()) + Nr<T>()];
        }

        /// <summary>The packed B block, from a 64-byte boundary (see <see cref="Aligned"/>).</summary>
        public ref T Packed => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packed), _packedStart);

        /// <summary>A's row block in slivers (AVX2 only, <see cref="PackA{T}"/>), from a 64-byte boundary.</summary>
        public ref T PackedA => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packedA), _packedAStart);

        public T[] Scratch { get; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Buffers<T> ForThisThread() => t_isWorker ? s_worker! : (t_current ??= new Buffers<T>());

        public static void EnsureWorker() => s_worker ??= new Buffers<T>();

        // A pinned array (it never moves) and the index of its first element on a cache-line boundary: every 32-byte
        // vector of a panel or sliver then sits inside one line (an array's data starts wherever the allocator put it).
        // bench gemm-builds, one run: with aligned buffers 256×784×100 and 256×3072×100 took 0.92–0.93 of the time of
        // the same code without them.
        private static (T[] Array, int Start) Aligned(int length)
        {
            var lineValues = 64 / Unsafe.SizeOf<T>();
            var array = GC.AllocateArray<T>(length + lineValues, pinned: true);
            unsafe
            {
                var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
                return (array, (int)((64 - (address & 63)) & 63) / Unsafe.SizeOf<T>());
            }
        }
    }
}
