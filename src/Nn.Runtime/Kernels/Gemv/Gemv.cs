using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// One row through an Affine layer: <c>y = epilogue(x·W + b)</c> for a single sample, the batch-1 forward pass.
/// The generated code calls <see cref="Forward{T}"/>, which picks the (internal) kernel that suits the layer's shape:
/// <c>Wide</c> when the outputs fill at least one 512-bit vector, <c>Narrow</c> below that,
/// <c>Packed</c> when several rows of W fit in one vector.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="Gemm.MatMul{T}"/> with m = 1: its row stream reads W in 256-bit vectors, three passes over W for
/// n = 100, and narrow outputs (n = 3 or 10) fall to one scalar chain of k dependent adds per column. At batch 1 the
/// work is a matrix-vector product, bound by reading W once; these kernels read every row of W as contiguous 512-bit
/// vectors, once, with enough independent accumulators to hide the 4-cycle FMA latency. Measured on the 2-core
/// Zen 5 (best of 1,000 timed runs, same process, while other jobs shared the machine): the whole 2-100-3 forward pass
/// 43–50 ns against ONNX Runtime's 1.7 µs; 784×100 + ReLU 2.3–2.5 µs against 3.5–4.2 µs for Gemm.MatMul with m = 1;
/// 100×3 (Packed) 26–30 ns against 184 ns.
/// </para>
/// <para>
/// The runtime picks the width once per process from what the processor accelerates (the tests are constants the JIT
/// and NativeAOT fold): with AVX-512F the kernels above, whose masked loads and stores handle the last partial vector of
/// a row without reading or writing past a span; with AVX2 the same shapes on Vector256, with SSE or NEON on Vector128
/// (one set of loops for both, Gemv.Kernels256And128.cs): a row of n ≥ lanes outputs in whole vectors, the last one overlapping,
/// fewer outputs with several rows of W per vector. Only without any vector acceleration does Forward fall back to
/// <see cref="Gemm.MatMul{T}"/> with m = 1. Each width gives the same results on every run; widths differ in rounding.
/// <c>y</c> must not overlap <c>x</c>, <c>w</c> or <c>bias</c>. Spans may be longer than needed; only <c>y[0..n)</c> is
/// written.
/// </para>
/// <para>Called by generated code; not part of the user API.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Gemv
{
    /// <summary>
    /// Effectively computes <c>y[j] = epilogue(Σ_p x[p]·W[p,j] + bias[j])</c> for j &lt; n, choosing
    /// the internal <c>Packed</c>, <c>Narrow</c> or <c>Wide</c> kernel from n.
    /// </summary>
    /// <param name="x">x, <c>[k]</c>.</param>
    /// <param name="w">W, <c>[k×n]</c> row-major.</param>
    /// <param name="bias">Empty for none, else <c>[n]</c>.</param>
    /// <param name="y">y, <c>[n]</c>.</param>
    /// <param name="k">Inputs: length of x, rows of W.</param>
    /// <param name="n">Outputs: columns of W, length of y.</param>
    /// <param name="epilogue">Applied after the bias.</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape, or bias is neither empty nor n long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue = Epilogue.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Accelerated<T>())
        {
            Check(x.Length, w.Length, bias.Length, y.Length, k, n);
            if (n != 0)
            {
                Narrower(x, w, bias, y, k, n, epilogue);
            }

            return;
        }

        var lanes = Vector512<T>.Count;
        if (n <= lanes / 2)
        {
            Packed(x, w, bias, y, k, n, epilogue);
        }
        else if (n < lanes)
        {
            Narrow(x, w, bias, y, k, n, epilogue);
        }
        else
        {
            Wide(x, w, bias, y, k, n, epilogue);
        }
    }

    /// <summary>
    /// The vector width in bits that <see cref="Forward{T}"/> runs on in this process: 512 (AVX-512), 256 (AVX2),
    /// 128 (SSE, NEON), or 0 when it falls back to <see cref="Gemm.MatMul{T}"/>. Fixed per process; for tests and benchmarks.
    /// </summary>
    internal static int Width<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Accelerated<T>() ? 512 : Use256<T>() ? 256 : Use128<T>() ? 128 : 0;

    /// <summary>Calls on this thread that fell back to <see cref="Gemm.MatMul{T}"/> with m = 1; for tests.</summary>
    internal static int Fallbacks => t_fallbacks;

    [ThreadStatic]
    private static int t_fallbacks;

    /// <summary>
    /// <c>y = epilogue(x·W + b)</c> for outputs that fill 512-bit vectors (n ≥ 16 floats, 8 doubles): the output row is
    /// held in registers, up to 8 vectors at a time with two k-chains, and W is streamed once, row by row.
    /// </summary>
    /// <inheritdoc cref="Forward{T}"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Wide<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue = Epilogue.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, w.Length, bias.Length, y.Length, k, n);
        if (n == 0)
        {
            return;
        }

        if (!Accelerated<T>())
        {
            Narrower(x, w, bias, y, k, n, epilogue);
            return;
        }

        WideKernel(x, w, bias, y, k, n, epilogue == Epilogue.Relu);
    }

    /// <summary>
    /// <c>y = epilogue(x·W + b)</c> for fewer outputs than one 512-bit vector holds (10 classes): each row of W is one
    /// masked vector, multiplied by its broadcast x[p] into one of 4 accumulators (4 k-chains), summed at the end.
    /// </summary>
    /// <inheritdoc cref="Forward{T}"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Narrow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue = Epilogue.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, w.Length, bias.Length, y.Length, k, n);
        if (n == 0)
        {
            return;
        }

        if (!Accelerated<T>())
        {
            Narrower(x, w, bias, y, k, n, epilogue);
            return;
        }

        if (n > Vector512<T>.Count)
        {
            Fallback(x, w, bias, y, k, n, epilogue);
            return;
        }

        NarrowKernel(x, w, bias, y, k, n, epilogue == Epilogue.Relu);
    }

    /// <summary>
    /// <c>y = epilogue(x·W + b)</c> for at most half a 512-bit vector of outputs (1 to 8 floats, 1 to 4 doubles, e.g. the
    /// 3 spiral classes): r = ⌊lanes/n⌋ consecutive rows of W fill one vector (5 rows of 3 floats), multiplied lane by
    /// lane by x[p..p+r) each repeated n times (one permute), so W is read in full vectors; the r partial sums of each
    /// column are added at the end.
    /// </summary>
    /// <inheritdoc cref="Forward{T}"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Packed<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue = Epilogue.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, w.Length, bias.Length, y.Length, k, n);
        if (n == 0)
        {
            return;
        }

        if (!Accelerated<T>())
        {
            Narrower(x, w, bias, y, k, n, epilogue);
            return;
        }

        if (n > Vector512<T>.Count / 2)
        {
            Fallback(x, w, bias, y, k, n, epilogue);
            return;
        }

        PackedKernel(x, w, bias, y, k, n, epilogue == Epilogue.Relu);
    }

    // Folded by the JIT: the kernels use Avx512F's masked loads and stores. Marked for inlining: 71 bytes of IL each, the
    // JIT's heuristics otherwise left them as calls from the kernels below (a tier-0 method called on every Forward).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Accelerated<T>() =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use256<T>() =>
        !Accelerated<T>() && Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use128<T>() =>
        !Accelerated<T>() && !Vector256.IsHardwareAccelerated && Vector128.IsHardwareAccelerated
        && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    // Without AVX-512 every entry (Wide, Narrow, Packed) runs the kernel that suits n on the widest vectors there are:
    // the whole row in vectors (Wide on Simd256 or Simd128) from one vector of outputs on, else several rows of W per vector.
    // Arguments are checked and n > 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrower<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var relu = epilogue == Epilogue.Relu;
        if (Use256<T>())
        {
            if (n >= Vector256<T>.Count)
            {
                Wide<T, Vector256<T>, Simd256<T>>(x, w, bias, y, k, n, relu);
            }
            else
            {
                Packed<T, Vector256<T>, Simd256<T>>(x, w, bias, y, k, n, relu);
            }
        }
        else if (Use128<T>())
        {
            if (n >= Vector128<T>.Count)
            {
                Wide<T, Vector128<T>, Simd128<T>>(x, w, bias, y, k, n, relu);
            }
            else
            {
                Packed<T, Vector128<T>, Simd128<T>>(x, w, bias, y, k, n, relu);
            }
        }
        else
        {
            Fallback(x, w, bias, y, k, n, epilogue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fallback<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        t_fallbacks++;
        Gemm.MatMul(x, w, y, m: 1, k, n, bias, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int xLength, int wLength, int biasLength, int yLength, int k, int n)
    {
        ThrowHelper.Dimensions(1, k, n);
        ThrowHelper.AtLeast(xLength, k, "x", "[k]");
        ThrowHelper.AtLeast(wLength, (long)k * n, "w", "[k×n]");
        ThrowHelper.AtLeast(yLength, n, "y", "[n]");
        if (biasLength != 0)
        {
            ThrowHelper.Exactly(biasLength, n, "bias", "n, one per output");
        }
    }
}
