using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// Micro-kernels for machines without AVX-512: C[6 × 2 vectors] on Vector256 (AVX2) or Vector128 (SSE, NEON).
/// </summary>
/// <remarks>
/// <para>
/// 12 accumulators, two B vectors and one broadcast: 15 of the 16 ymm/xmm registers of AVX2 and SSE, so 6 rows is
/// the most that fits without spilling (8 rows would need 16 accumulators alone). Same contract as Micro512.
/// </para>
/// <para>
/// AVX2 analysis (Zen 3, 2 FMA pipes, FMA latency 4: 8 independent chains cover it, the tile has 12).
/// DOTNET_JitDisasm="Micro256*": Micro256's k step is 2 vmovups of B, 6 vbroadcastss of A, 12 vfmadd, 6 vmovaps (the
/// JIT writes each row's second product into the broadcast's register and copies it back; moves are renamed away, not
/// executed) and 5 instructions of address and loop arithmetic, no spill. Alone on one packed B panel in L1, 42 tiles,
/// alternating with the peak loop of bench/WidthBenchmarks.cs (a scratch harness): 85–92 % of the peak with A's rows
/// 784 floats apart, 79–82 % with 3,072 (rows 12 KB apart share L1 sets); kc from 196 to 512 changed nothing
/// measurable. Reading A packed instead (one stream) ran 3–6 % closer to the peak: <see cref="Micro256Packed{T}"/>.
/// </para>
/// </remarks>
internal static partial class GemmKernels
{
    // Each Fma helper (here, Micro512.cs, Small.cs and the Gemv kernels) tests for a fused multiply-add instruction
    // (x64 FMA3, Arm AdvSimd) itself: without it .NET computes FusedMultiplyAdd in software, one lane at a time (with
    // AVX2 disabled the 6 × 2 Vector128 kernel ran at 0.3 GFLOP/s that way). Not a static readonly field: ILC (NativeAOT)
    // does not fold one, and reading it before every FMA kept Micro512 at half the JIT's speed (784-100-10 at batch 256:
    // 553 against 285 µs, bench/Aot). Not a shared property either: IsSupported is a constant when the JIT imports the
    // helper, a property call is one only after inlining, so the JIT imported the FusedMultiplyAdd branch too, a call
    // without FMA that takes its vectors on the stack, and every vector passed to the helper then lived in a stack slot
    // (x64 SSE, DOTNET_EnableAVX2=0, `bench -- widths 300`: Micro128 at 13–25 % of the multiply-add peak, 45–57 % with
    // the test written out; the batch-1 Gemv at half of Gemm.MatMul's speed, now faster; docs/benchmarks.md, "128 bits").

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint w = Vector256<T>.Count;
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * rs);
        ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * rs);
        ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * rs);
        ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * rs);
        ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * rs);
        Vector256<T> x0 = default, y0 = default, x1 = default, y1 = default, x2 = default, y2 = default, x3 = default, y3 = default, x4 = default, y4 = default, x5 = default, y5 = default;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector256.LoadUnsafe(ref c); y0 = Vector256.LoadUnsafe(ref c, (nuint)w);
            x1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w);
            x2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w);
            x3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w);
            x4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w);
            x5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w);
        }

        nint off = 0;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, (nuint)w);
            b = ref Unsafe.Add(ref b, bs);
            var s0 = Vector256.Create(Unsafe.Add(ref a0, off)); x0 = Fma(s0, b0, x0); y0 = Fma(s0, b1, y0);
            var s1 = Vector256.Create(Unsafe.Add(ref a1, off)); x1 = Fma(s1, b0, x1); y1 = Fma(s1, b1, y1);
            var s2 = Vector256.Create(Unsafe.Add(ref a2, off)); x2 = Fma(s2, b0, x2); y2 = Fma(s2, b1, y2);
            var s3 = Vector256.Create(Unsafe.Add(ref a3, off)); x3 = Fma(s3, b0, x3); y3 = Fma(s3, b1, y3);
            var s4 = Vector256.Create(Unsafe.Add(ref a4, off)); x4 = Fma(s4, b0, x4); y4 = Fma(s4, b1, y4);
            var s5 = Vector256.Create(Unsafe.Add(ref a5, off)); x5 = Fma(s5, b0, x5); y5 = Fma(s5, b1, y5);
            off += cs;
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector256.LoadUnsafe(ref bias);
            var bias1 = Vector256.LoadUnsafe(ref bias, (nuint)w);
            x0 += bias0; y0 += bias1;
            x1 += bias0; y1 += bias1;
            x2 += bias0; y2 += bias1;
            x3 += bias0; y3 += bias1;
            x4 += bias0; y4 += bias1;
            x5 += bias0; y5 += bias1;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector256.Max(x0, Vector256<T>.Zero); y0 = Vector256.Max(y0, Vector256<T>.Zero);
            x1 = Vector256.Max(x1, Vector256<T>.Zero); y1 = Vector256.Max(y1, Vector256<T>.Zero);
            x2 = Vector256.Max(x2, Vector256<T>.Zero); y2 = Vector256.Max(y2, Vector256<T>.Zero);
            x3 = Vector256.Max(x3, Vector256<T>.Zero); y3 = Vector256.Max(y3, Vector256<T>.Zero);
            x4 = Vector256.Max(x4, Vector256<T>.Zero); y4 = Vector256.Max(y4, Vector256<T>.Zero);
            x5 = Vector256.Max(x5, Vector256<T>.Zero); y5 = Vector256.Max(y5, Vector256<T>.Zero);
        }

        x0.StoreUnsafe(ref c); y0.StoreUnsafe(ref c, (nuint)w);
        x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w);
        x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w);
        x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w);
        x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w);
        x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w);
    }

    /// <summary>
    /// The AVX2 kernel on a packed sliver of A (<see cref="PackA{T}"/>: blocks of <see cref="AKBlock"/> k values, 6 rows of
    /// 8 contiguous values each): C[rows × 2 vectors] (+)= A · Bpanel, then bias and ReLU; only the first
    /// <paramref name="rows"/> rows of C are loaded and stored (the packed rows past them are zeros).
    /// </summary>
    /// <remarks>
    /// The k loop takes whole blocks of 8 steps written out, so that every load of A and B is a constant offset from two
    /// pointers (DOTNET_JitDisasm: per block 16 vmovups, 48 vbroadcastss, 96 vfmadd, about 48 register-renamed vmovaps,
    /// no spill, no address arithmetic), then the last kc mod 8 steps in a loop. Alone on one packed B panel, 42 tiles,
    /// against the peak loop in the same rounds (scratch harness): 93–98 % of the peak, where Micro256 reading A in place
    /// ran 82–92 % (kc = 196 and 256, A's rows 784 and 512 floats apart). A is packed once per k-block and row block,
    /// which pays off only over enough panels of B: see <see cref="PackAFromPanels"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256Packed<T>(ref T a, int rows, ref T b, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint w = Vector256<T>.Count;
        Vector256<T> x0 = default, y0 = default, x1 = default, y1 = default, x2 = default, y2 = default, x3 = default, y3 = default, x4 = default, y4 = default, x5 = default, y5 = default;
        Vector256<T> b0, b1, s;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector256.LoadUnsafe(ref c); y0 = Vector256.LoadUnsafe(ref c, (nuint)w);
            if (rows > 1) { x1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w); }
            if (rows > 2) { x2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w); }
            if (rows > 3) { x3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w); }
            if (rows > 4) { x4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w); }
            if (rows > 5) { x5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w); }
        }

        // Whole blocks: 8 k steps written out, every address of A and B a constant offset from two pointers.
        var p = 0;
        for (; p + AKBlock <= kc; p += AKBlock)
        {
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(0 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((0 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 0 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(1 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((1 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 1 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(2 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((2 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 2 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(3 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((3 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 3 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(4 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((4 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 4 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(5 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((5 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 5 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(6 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((6 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 6 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            b0 = Vector256.LoadUnsafe(ref b, (nuint)(7 * 2 * w)); b1 = Vector256.LoadUnsafe(ref b, (nuint)((7 * 2 * w) + w));
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, 7 + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
            a = ref Unsafe.Add(ref a, 6 * AKBlock);
            b = ref Unsafe.Add(ref b, AKBlock * 2 * w);
        }

        // The last kc mod 8 steps.
        for (nint j = 0; j < kc - p; j++)
        {
            b0 = Vector256.LoadUnsafe(ref b); b1 = Vector256.LoadUnsafe(ref b, (nuint)w);
            b = ref Unsafe.Add(ref b, 2 * w);
            s = Vector256.Create(Unsafe.Add(ref a, j + (0 * AKBlock))); x0 = Fma(b0, s, x0); y0 = Fma(b1, s, y0);
            s = Vector256.Create(Unsafe.Add(ref a, j + (1 * AKBlock))); x1 = Fma(b0, s, x1); y1 = Fma(b1, s, y1);
            s = Vector256.Create(Unsafe.Add(ref a, j + (2 * AKBlock))); x2 = Fma(b0, s, x2); y2 = Fma(b1, s, y2);
            s = Vector256.Create(Unsafe.Add(ref a, j + (3 * AKBlock))); x3 = Fma(b0, s, x3); y3 = Fma(b1, s, y3);
            s = Vector256.Create(Unsafe.Add(ref a, j + (4 * AKBlock))); x4 = Fma(b0, s, x4); y4 = Fma(b1, s, y4);
            s = Vector256.Create(Unsafe.Add(ref a, j + (5 * AKBlock))); x5 = Fma(b0, s, x5); y5 = Fma(b1, s, y5);
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector256.LoadUnsafe(ref bias);
            var bias1 = Vector256.LoadUnsafe(ref bias, (nuint)w);
            x0 += bias0; y0 += bias1;
            x1 += bias0; y1 += bias1;
            x2 += bias0; y2 += bias1;
            x3 += bias0; y3 += bias1;
            x4 += bias0; y4 += bias1;
            x5 += bias0; y5 += bias1;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector256.Max(x0, Vector256<T>.Zero); y0 = Vector256.Max(y0, Vector256<T>.Zero);
            x1 = Vector256.Max(x1, Vector256<T>.Zero); y1 = Vector256.Max(y1, Vector256<T>.Zero);
            x2 = Vector256.Max(x2, Vector256<T>.Zero); y2 = Vector256.Max(y2, Vector256<T>.Zero);
            x3 = Vector256.Max(x3, Vector256<T>.Zero); y3 = Vector256.Max(y3, Vector256<T>.Zero);
            x4 = Vector256.Max(x4, Vector256<T>.Zero); y4 = Vector256.Max(y4, Vector256<T>.Zero);
            x5 = Vector256.Max(x5, Vector256<T>.Zero); y5 = Vector256.Max(y5, Vector256<T>.Zero);
        }

        x0.StoreUnsafe(ref c); y0.StoreUnsafe(ref c, (nuint)w);
        if (rows > 1) { x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w); }
        if (rows > 2) { x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w); }
        if (rows > 3) { x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w); }
        if (rows > 4) { x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w); }
        if (rows > 5) { x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro128<T>(ref T a, nint rs, nint cs, int rows, ref T b, nint bs, int kc, ref T c, nint ldc, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint w = Vector128<T>.Count;
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * rs);
        ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * rs);
        ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * rs);
        ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * rs);
        ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * rs);
        Vector128<T> x0 = default, y0 = default, x1 = default, y1 = default, x2 = default, y2 = default, x3 = default, y3 = default, x4 = default, y4 = default, x5 = default, y5 = default;
        if ((flags & LoadC) != 0)
        {
            x0 = Vector128.LoadUnsafe(ref c); y0 = Vector128.LoadUnsafe(ref c, (nuint)w);
            x1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w);
            x2 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w);
            x3 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w);
            x4 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w);
            x5 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5 = Vector128.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w);
        }

        nint off = 0;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, (nuint)w);
            b = ref Unsafe.Add(ref b, bs);
            var s0 = Vector128.Create(Unsafe.Add(ref a0, off)); x0 = Fma(s0, b0, x0); y0 = Fma(s0, b1, y0);
            var s1 = Vector128.Create(Unsafe.Add(ref a1, off)); x1 = Fma(s1, b0, x1); y1 = Fma(s1, b1, y1);
            var s2 = Vector128.Create(Unsafe.Add(ref a2, off)); x2 = Fma(s2, b0, x2); y2 = Fma(s2, b1, y2);
            var s3 = Vector128.Create(Unsafe.Add(ref a3, off)); x3 = Fma(s3, b0, x3); y3 = Fma(s3, b1, y3);
            var s4 = Vector128.Create(Unsafe.Add(ref a4, off)); x4 = Fma(s4, b0, x4); y4 = Fma(s4, b1, y4);
            var s5 = Vector128.Create(Unsafe.Add(ref a5, off)); x5 = Fma(s5, b0, x5); y5 = Fma(s5, b1, y5);
            off += cs;
        }

        if ((flags & AddBias) != 0)
        {
            var bias0 = Vector128.LoadUnsafe(ref bias);
            var bias1 = Vector128.LoadUnsafe(ref bias, (nuint)w);
            x0 += bias0; y0 += bias1;
            x1 += bias0; y1 += bias1;
            x2 += bias0; y2 += bias1;
            x3 += bias0; y3 += bias1;
            x4 += bias0; y4 += bias1;
            x5 += bias0; y5 += bias1;
        }

        if ((flags & ApplyRelu) != 0)
        {
            x0 = Vector128.Max(x0, Vector128<T>.Zero); y0 = Vector128.Max(y0, Vector128<T>.Zero);
            x1 = Vector128.Max(x1, Vector128<T>.Zero); y1 = Vector128.Max(y1, Vector128<T>.Zero);
            x2 = Vector128.Max(x2, Vector128<T>.Zero); y2 = Vector128.Max(y2, Vector128<T>.Zero);
            x3 = Vector128.Max(x3, Vector128<T>.Zero); y3 = Vector128.Max(y3, Vector128<T>.Zero);
            x4 = Vector128.Max(x4, Vector128<T>.Zero); y4 = Vector128.Max(y4, Vector128<T>.Zero);
            x5 = Vector128.Max(x5, Vector128<T>.Zero); y5 = Vector128.Max(y5, Vector128<T>.Zero);
        }

        x0.StoreUnsafe(ref c); y0.StoreUnsafe(ref c, (nuint)w);
        x1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc)); y1.StoreUnsafe(ref Unsafe.Add(ref c, 1 * ldc), (nuint)w);
        x2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc)); y2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc), (nuint)w);
        x3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc)); y3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc), (nuint)w);
        x4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc)); y4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * ldc), (nuint)w);
        x5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc)); y5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * ldc), (nuint)w);
    }

    // a·b + c in one rounding; the typeof tests are constants to the JIT, so each T keeps one instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            return (a * b) + c;
        }

        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return (a * b) + c;
    }

    // a·b + c in one rounding; the typeof tests are constants to the JIT, so each T keeps one instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            return (a * b) + c;
        }

        if (typeof(T) == typeof(float))
        {
            return Vector128.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector128.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return (a * b) + c;
    }
}
