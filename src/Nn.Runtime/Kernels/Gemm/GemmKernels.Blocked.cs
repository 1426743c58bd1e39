using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The blocked product (BLIS's five loops) over one rectangle of C: column blocks of <see cref="Nc{T}"/>, k-blocks of
/// <see cref="Kc"/> (B's block packed once per k-block), row blocks of <see cref="Mc{T}"/>, then NR-column panels
/// and MR-row micro-tiles.
/// </summary>
internal static partial class GemmKernels
{
    /// <summary>
    /// k-block: a packed B panel (Kc × NR, 128 bytes per k for every path: 32 floats or 16 doubles on 512 bits) is 32 KB
    /// and stays in Zen 5's 48 KB L1 while the 8-row slivers of A stream past it. 1024³ on one thread reached 196 GFLOP/s
    /// (90 % of the FMA peak) with 256; 128, 400 and 784 measured 114–200 on the shared, loaded machine: inconclusive,
    /// so the L1 argument decides. With AVX2 a panel is 64 bytes per k (16 KB at Kc = 256, half of Zen 3's 32 KB L1), and
    /// Micro256 alone on one panel ran the same with kc from 196 to 512 (85–86 % of the FMA peak, scratch harness).
    /// </summary>
    internal const int Kc = 256;

    /// <summary>
    /// Rows of A per row block: Mc × Kc of A (about 256 KB of floats) stays in L2 (Zen 3: 512 KB) across all panels of B. Rounded up to
    /// whole MR tiles (258 rows with MR = 6, not 252), so that a batch of 256 is one row block rather than 252 + 4 rows
    /// that take a second pass over every panel of B.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Mc<T>() => Mr * Math.Max(1, ((1024 / Unsafe.SizeOf<T>()) + Mr - 1) / Mr);

    /// <summary>Columns of B per column block: Kc × Nc of packed B, 512 KB, sits in L2 beside A's block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nc<T>() => Nr<T>() * Math.Max(1, (2048 / Unsafe.SizeOf<T>()) / Nr<T>());

    /// <summary>
    /// Panels of B in a column block from which AVX2 packs A (<see cref="PackA{T}"/>, <see cref="Micro256Packed{T}"/>):
    /// the copy of A's block is paid once and saved on every panel. One thread, the same products from two builds in one
    /// process, alternating call by call (median ratio of per-call times): with 32 panels (n = 512) packing A took
    /// 256×512×512 to 0.83–0.89 and 256×784×512 to 0.92–0.98 of the time without; with 6 (n = 100) it gained nothing
    /// (1.00–1.01 for k = 784 and 3072).
    /// </summary>
    internal const int PackAFromPanels = 12;

    /// <summary>Rows of a micro-tile.</summary>
    internal static int Mr
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Use512 ? 8 : 6;
    }

    /// <summary>Columns of a micro-tile: two vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nr<T>() => Use512 ? 2 * Vector512<T>.Count : Use256 ? 2 * Vector256<T>.Count : 2 * Vector128<T>.Count;

    /// <summary>C[i0..i1, j0..j1] of the product; every element is computed here, by this thread, in the same k order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RunRange<T>(in Product pr, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Use512 && !Use256 && !Use128)
        {
            RunScalar<T>(in pr, i0, i1, j0, j1);
            return;
        }

        int mr = Mr, nr = Nr<T>(), mc = Mc<T>(), nc = Nc<T>(), k = pr.K, n = pr.N;
        var buffers = Buffers<T>.ForThisThread();
        ref T packed = ref buffers.Packed;
        ref T packedA = ref buffers.PackedA;
        ref T a = ref Unsafe.AsRef<T>(pr.A);
        ref T c = ref Unsafe.AsRef<T>(pr.C);
        for (var jc = j0; jc < j1; jc += nc)
        {
            var ncb = Math.Min(nc, j1 - jc);
            var packA = Use256 && pr.AColStride == 1 && ncb >= PackAFromPanels * nr;

            // k = 0 still has to write C (zero or kept), then bias and epilogue: one empty block does it. k is cut into
            // equal blocks of at most Kc (784 = 4 × 196, not 3 × 256 + 16: a 16-deep block pays a full load and store of C
            // for little work).
            var kBlocks = Math.Max(1, (k + Kc - 1) / Kc);
            var kStep = (k + kBlocks - 1) / kBlocks;
            for (var pc = 0; pc < k || pc == 0; pc += kStep)
            {
                var kc = Math.Min(kStep, k - pc);
                var last = pc + kc >= k;
                var flags = (pr.Accumulate || pc > 0 ? LoadC : 0)
                    | (last && pr.Bias != null ? AddBias : 0)
                    | (last && pr.Relu ? ApplyRelu : 0);
                PackB<T>(in pr, pc, kc, jc, ncb, nr, ref packed);
                for (var ic = i0; ic < i1; ic += mc)
                {
                    var icEnd = Math.Min(ic + mc, i1);
                    if (packA)
                    {
                        PackA(in pr, ic, icEnd, pc, kc, ref packedA);
                    }

                    for (var jr = 0; jr < ncb; jr += nr)
                    {
                        var cols = Math.Min(nr, ncb - jr);
                        var j = jc + jr;

                        // Packed even for 64 rows: reading full panels of B in place (stride n) instead took 64×784×100
                        // from 73 to 86 µs, 256×784×100 from 246 to 251-277 µs.
                        ref T panel = ref Unsafe.Add(ref packed, (jr / nr) * PanelStride(kc, nr));
                        nint bs = nr;
                        if (Use512 && 2 * cols <= nr)
                        {
                            NarrowPanel(in pr, ic, icEnd, pc, ref panel, kc, j, cols, flags, buffers.Scratch);
                            continue;
                        }

                        if (packA)
                        {
                            PackedPanel(in pr, ic, icEnd, ref packedA, ref panel, kc, j, cols, flags, buffers.Scratch);
                            continue;
                        }

                        for (var ir = ic; ir < icEnd; ir += mr)
                        {
                            var rows = Math.Min(mr, icEnd - ir);
                            ref T aTile = ref Unsafe.Add(ref a, (ir * pr.ARowStride) + (pc * pr.AColStride));
                            ref T cTile = ref Unsafe.Add(ref c, ((nint)ir * n) + j);
                            if (rows == mr && cols == nr)
                            {
                                ref T bias = ref pr.Bias == null ? ref cTile : ref Unsafe.Add(ref Unsafe.AsRef<T>(pr.Bias), j);
                                Micro(ref aTile, pr.ARowStride, pr.AColStride, rows, ref panel, bs, kc, ref cTile, n, ref bias, flags);
                            }
                            else
                            {
                                EdgeTile(in pr, ref aTile, rows, cols, ref panel, bs, kc, ref cTile, j, flags, buffers.Scratch);
                            }
                        }
                    }
                }
            }
        }
    }

    // One panel of B against the packed slivers of A's row block (AVX2, A's rows contiguous). Edge rows are stored by the
    // kernel itself; only a panel narrower than NR goes through the scratch tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackedPanel<T>(in Product pr, int ic, int icEnd, ref T packedA, ref T panel, int kc, int j, int cols, int flags, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = Mr, nr = Nr<T>(), n = pr.N, size = SliverSize(kc);
        ref T c = ref Unsafe.AsRef<T>(pr.C);
        for (var ir = ic; ir < icEnd; ir += mr, packedA = ref Unsafe.Add(ref packedA, size))
        {
            var rows = Math.Min(mr, icEnd - ir);
            ref T cTile = ref Unsafe.Add(ref c, ((nint)ir * n) + j);
            if (cols == nr)
            {
                ref T bias = ref pr.Bias == null ? ref cTile : ref Unsafe.Add(ref Unsafe.AsRef<T>(pr.Bias), j);
                Micro256Packed(ref packedA, rows, ref panel, kc, ref cTile, n, ref bias, flags);
            }
            else
            {
                ToScratch(in pr, ref cTile, rows, cols, j, flags, scratch);
                Micro256Packed(ref packedA, rows, ref panel, kc, ref scratch[0], nr, ref scratch[mr * nr], flags);
                FromScratch(ref cTile, rows, cols, n, nr, scratch);
            }
        }
    }

    // A tile that sticks out of C (m or n not a multiple of the tile): the kernel works on a zero-padded copy in scratch
    // (MR × NR, then NR of bias), and only the rows × cols inside C are copied back.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EdgeTile<T>(in Product pr, ref T a, int rows, int cols, ref T panel, nint bs, int kc, ref T c, int j, int flags, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nr = Nr<T>();
        ToScratch(in pr, ref c, rows, cols, j, flags, scratch);
        Micro(ref a, pr.ARowStride, pr.AColStride, rows, ref panel, bs, kc, ref scratch[0], nr, ref scratch[Mr * nr], flags);
        FromScratch(ref c, rows, cols, pr.N, nr, scratch);
    }

    // scratch = [MR × NR tile | NR of bias]: C's rows × cols when the kernel must load C, the bias when it adds it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ToScratch<T>(in Product pr, ref T c, int rows, int cols, int j, int flags, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Nr<T>(), n = pr.N;
        if ((flags & LoadC) != 0)
        {
            for (var r = 0; r < rows; r++)
            {
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref c, (nint)r * n), cols).CopyTo(scratch.AsSpan(r * nr, cols));
            }
        }

        if ((flags & AddBias) != 0)
        {
            new ReadOnlySpan<T>((T*)pr.Bias + j, cols).CopyTo(scratch.AsSpan(Mr * nr, cols));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FromScratch<T>(ref T c, int rows, int cols, int n, int nr, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            scratch.AsSpan(r * nr, cols).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)r * n), cols));
        }
    }

    // The last panel when it is at most one vector wide: 8 × 1 tiles of the narrowest vector that covers `cols`.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NarrowPanel<T>(in Product pr, int ic, int icEnd, int pc, ref T panel, int kc, int j, int cols, int flags, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = Mr, nr = Nr<T>(), n = pr.N;
        var width = cols <= Vector128<T>.Count ? Vector128<T>.Count : cols <= Vector256<T>.Count ? Vector256<T>.Count : Vector512<T>.Count;
        ref T a = ref Unsafe.AsRef<T>(pr.A);
        for (var ir = ic; ir < icEnd; ir += mr)
        {
            var rows = Math.Min(mr, icEnd - ir);
            ref T aTile = ref Unsafe.Add(ref a, (ir * pr.ARowStride) + (pc * pr.AColStride));
            ref T cTile = ref Unsafe.Add(ref Unsafe.AsRef<T>(pr.C), ((nint)ir * n) + j);
            var direct = rows == mr && cols == width;
            ref T target = ref direct ? ref cTile : ref scratch[0];
            ref T bias = ref direct && pr.Bias != null ? ref Unsafe.Add(ref Unsafe.AsRef<T>(pr.Bias), j) : ref scratch[mr * nr];
            nint ldc = direct ? n : nr;
            if (!direct)
            {
                ToScratch(in pr, ref cTile, rows, cols, j, flags, scratch);
            }

            if (width == Vector128<T>.Count)
            {
                Micro128x1(ref aTile, pr.ARowStride, pr.AColStride, rows, ref panel, nr, kc, ref target, ldc, ref bias, flags);
            }
            else if (width == Vector256<T>.Count)
            {
                Micro256x1(ref aTile, pr.ARowStride, pr.AColStride, rows, ref panel, nr, kc, ref target, ldc, ref bias, flags);
            }
            else
            {
                Micro512x1(ref aTile, pr.ARowStride, pr.AColStride, rows, ref panel, nr, kc, ref target, ldc, ref bias, flags);
            }

            if (!direct)
            {
                FromScratch(ref cTile, rows, cols, n, nr, scratch);
            }
        }
    }

    // The tests are constants to the JIT and to ILC, so one call is left.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Use512)
        {
            Micro512(ref a, rs, cs, rows, ref b, bs, kc, ref c, ldc, ref bias, flags);
        }
        else if (Use256)
        {
            Micro256(ref a, rs, cs, rows, ref b, bs, kc, ref c, ldc, ref bias, flags);
        }
        else
        {
            Micro128(ref a, rs, cs, rows, ref b, bs, kc, ref c, ldc, ref bias, flags);
        }
    }

    // No SIMD at all: the reference loops, over the same rectangle.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunScalar<T>(in Product pr, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = (T*)pr.A, b = (T*)pr.B, c = (T*)pr.C, bias = (T*)pr.Bias;
        for (var i = i0; i < i1; i++)
        {
            for (var j = j0; j < j1; j++)
            {
                var sum = pr.Accumulate ? c[((nint)i * pr.N) + j] : T.Zero;
                for (var p = 0; p < pr.K; p++)
                {
                    var bpj = pr.BTransposed ? b[((nint)j * pr.K) + p] : b[((nint)p * pr.N) + j];
                    sum += a[(i * pr.ARowStride) + (p * pr.AColStride)] * bpj;
                }

                sum += bias == null ? T.Zero : bias[j];
                c[((nint)i * pr.N) + j] = pr.Relu ? T.Max(sum, T.Zero) : sum;
            }
        }
    }
}
