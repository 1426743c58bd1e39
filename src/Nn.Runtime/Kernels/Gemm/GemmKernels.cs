using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The loops behind <see cref="Gemm"/>. Arguments are validated by the caller.
/// </summary>
/// <remarks>
/// <para>
/// From <see cref="BlockedFromRows"/> rows on, all three forms run one BLIS-style blocked product
/// (GemmKernels.Blocked.cs): B is packed per k-block into panels of NR columns (zero-padded; the packing reads
/// Bᵀ just as well, so A·Bᵀ costs one transposing copy of B), A is read in place through a row and a column
/// stride (so Aᵀ·B needs no copy of A), and a register-tiled micro-kernel keeps an MR × NR tile of C in registers
/// through a k-block: 8 rows × 2 Vector512 (16 accumulators) with AVX-512, 6 rows × 2 Vector256 or Vector128
/// without. With AVX2, A is packed too when a column block has enough panels of B to pay for it (PackAFromPanels). The vector width is fixed per process: the tests below are hardware-intrinsic constants that the JIT and
/// NativeAOT's ILC both fold, so each build keeps one path and no test is left in the loops.
/// Two threads share the work above <see cref="ParallelFromFlops"/> (GemmKernels.Threading.cs).
/// </para>
/// <para>
/// Fewer rows stream whole rows of B (GemmKernels.Small.cs); few-row A·Bᵀ are dot products along k
/// (GemmKernels.Dot.cs); outputs narrower than one Vector&lt;T&gt;, and the last columns of a product when they are that
/// narrow, run on the turned-around kernels of GemmKernels.Narrow.cs. Packing buffers are per thread and reused: a
/// product allocates nothing.
/// </para>
/// </remarks>
internal static partial class GemmKernels
{
    /// <summary>Rows of C from which packing B pays: below it, every row of B would be packed for at most 3 uses.</summary>
    public const int BlockedFromRows = 4;

    /// <summary>AVX-512 (or any 512-bit SIMD): the 8 × 2-vector micro-kernel.</summary>
    internal static bool Use512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <summary>256-bit SIMD only (AVX2): the 6 × 2-vector micro-kernel on Vector256.</summary>
    internal static bool Use256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !Use512 && Vector256.IsHardwareAccelerated;
    }

    /// <summary>128-bit SIMD only (SSE, NEON): the 6 × 2-vector micro-kernel on Vector128.</summary>
    internal static bool Use128
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !Use512 && !Use256 && Vector128.IsHardwareAccelerated;
    }

    /// <summary>A·B (aRowStride k, aColStride 1) and Aᵀ·B (aRowStride 1, aColStride m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColStride, ReadOnlySpan<T> b, Span<T> c,
        int m, int k, int n, ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        // Narrow outputs (3 spiral scores, 10 classes): too few columns for a register tile, so turn the product around
        // and vectorize along k, over a transposed copy of B.
        if (UseNarrow<T>(m, k, n) && aColStride == 1)
        {
            Narrow(a, aRowStride, b, n, c, n, m, k, n, bias, epilogue, accumulate);
            return;
        }

        // Narrow Aᵀ·B (the last layer's dW = hᵀ·dscores): vectorize along m, where A's rows are contiguous.
        if (Vector.IsHardwareAccelerated && n < Vector<T>.Count && ColumnsFit<T>(aRowStride, aColStride, m))
        {
            NarrowTransposedA(a, b, n, c, n, m, k, n, bias, epilogue, accumulate);
            return;
        }

        if (m < BlockedFromRows)
        {
            RunSmall(a, aRowStride, aColStride, b, c, m, k, n, bias, epilogue, accumulate);
            return;
        }

        RunBlocked(a, aRowStride, aColStride, b, bTransposed: false, c, m, k, n, bias, epilogue, accumulate);
    }

    /// <summary>A·Bᵀ, B stored <c>[n×k]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTransposeB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        // Few rows: one dot product per output along k, both operands contiguous; nothing to pack.
        if (m < BlockedFromRows || UseNarrow<T>(m, k, n))
        {
            DotRows(a, b, c, m, k, n, accumulate);
            return;
        }

        RunBlocked(a, k, 1, b, bTransposed: true, c, m, k, n, default, Epilogue.None, accumulate);
    }

    // The dot-product path wins when the register tile would be mostly padding: n below half a tile's width.
    private static bool UseNarrow<T>(int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Vector.IsHardwareAccelerated && m >= 16 && n < Vector<T>.Count && k >= 4 * Vector<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunBlocked<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColStride, ReadOnlySpan<T> b, bool bTransposed, Span<T> c,
        int m, int k, int n, ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A last panel narrower than one Vector<T> (n = 100: 3 × 32 + 4) ran on a 4-lane edge kernel, a quarter of the
        // FMA width: 11 % of 256×784×100. Those columns go to the narrow kernels instead, which fill whole vectors.
        var tail = NarrowTail<T>(aRowStride, aColStride, bTransposed, m, k, n);
        var j0 = n - tail;

        // Pinned for the whole call: the second thread reads them through the pointers, and the caller waits for it.
        fixed (T* pa = &MemoryMarshal.GetReference(a))
        fixed (T* pb = &MemoryMarshal.GetReference(b))
        fixed (T* pc = &MemoryMarshal.GetReference(c))
        fixed (T* pbias = &MemoryMarshal.GetReference(bias))
        {
            var product = new Product
            {
                A = pa,
                B = pb,
                C = pc,
                Bias = bias.IsEmpty ? null : pbias,
                ARowStride = aRowStride,
                AColStride = aColStride,
                M = m,
                K = k,
                N = n,
                Columns = j0,
                BTransposed = bTransposed,
                Relu = epilogue == Epilogue.Relu,
                Accumulate = accumulate,
            };
            Split<T>(in product);
        }

        if (tail == 0)
        {
            return;
        }

        var tailBias = bias.IsEmpty ? bias : bias.Slice(j0);
        if (aColStride == 1)
        {
            Narrow(a, aRowStride, b.Slice(j0), n, c.Slice(j0), n, m, k, tail, tailBias, epilogue, accumulate);
        }
        else
        {
            NarrowTransposedA(a, b.Slice(j0), n, c.Slice(j0), n, m, k, tail, tailBias, epilogue, accumulate);
        }
    }

    // Columns at the right of C for the narrow kernels: the part of the last panel below one Vector<T>, when the form
    // suits them (A·B with k ≥ 4 vectors, or Aᵀ·B with m ≥ 4 vectors; A·Bᵀ keeps the blocked path).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NarrowTail<T>(int aRowStride, int aColStride, bool bTransposed, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nr = Nr<T>();
        var tail = n % nr;
        if (bTransposed || !Vector.IsHardwareAccelerated || n < nr || tail == 0 || tail >= Vector<T>.Count)
        {
            return 0;
        }

        var fits = aColStride == 1 ? k >= 4 * Vector<T>.Count : ColumnsFit<T>(aRowStride, aColStride, m);
        return fits ? tail : 0;
    }

    // NarrowTransposedA's shape: Aᵀ·B (A stored [k×m], rows contiguous) with at least the 4 vectors of rows it works on.
    private static bool ColumnsFit<T>(int aRowStride, int aColStride, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
        => aRowStride == 1 && aColStride == m && m >= 4 * Vector<T>.Count;

    /// <summary>One product, described by pointers so that the worker thread can run part of it.</summary>
    internal unsafe struct Product
    {
        public void* A;
        public void* B;
        public void* C;
        public void* Bias;          // null for none
        public nint ARowStride;     // A[i, p] = A[i·ARowStride + p·AColStride]
        public nint AColStride;
        public int M;
        public int K;
        public int N;               // C's and B's row length
        public int Columns;         // columns 0 .. Columns of C computed by the blocked path (the rest: NarrowTail)
        public bool BTransposed;    // B stored [n×k]
        public bool Relu;
        public bool Accumulate;
    }
}
