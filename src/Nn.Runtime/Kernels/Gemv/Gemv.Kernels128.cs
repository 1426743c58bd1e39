using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// Vector128 (NEON on ARM64, SSE on x64 without AVX2) for the loops of Gemv.Kernels256And128.cs, on 4 floats or
/// 2 doubles; without an FMA instruction (x64 SSE) each step multiplies, then adds. What is particular to this width:
/// Spread is one pshufb or tbl, and Packed reads its last rows with AVX's masked loads where x64 has AVX, else from a
/// zero-padded copy (NEON has no masked load).
/// </summary>
public static partial class Gemv
{
    private readonly unsafe struct Simd128<T> : ISimd<T, Vector128<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Lanes => Vector128<T>.Count;

        public static int RowShift => Vector128<T>.Count == 4 ? 2 : 3;

        public static Vector128<T> Zero => Vector128<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Load(T* p) => Vector128.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<T> v, T* p) => Vector128.Store(v, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;

        // The test is written out here, not shared (see GemmKernels.Micro256.cs): through a property, x64 SSE kept every
        // vector passed to Fma in a stack slot (43 stack accesses in the streaming loop; 784×100 at 0.46× of
        // Gemm.MatMul with m = 1, now faster than it; docs/benchmarks.md, "128 bits").
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Fma(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
            System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported
                ? typeof(T) == typeof(float)
                    ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
                    : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
                : (a * b) + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Relu(Vector128<T> v) => Vector128.Max(v, Vector128<T>.Zero);

        // Byte indices that move element l / n to element l, for n < lanes: 1 to 3 floats, 1 double (a table, no division).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> SpreadIndices(int n) =>
            Vector128.Create(SpreadBytes.Slice((Unsafe.SizeOf<T>() == sizeof(float) ? n : 1) * 16, 16)).As<byte, T>();

        // pshufb (SSSE3) or tbl (NEON); the portable Shuffle elsewhere.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Spread(Vector128<T> v, Vector128<T> indices)
        {
            if (Ssse3.IsSupported)
            {
                return Ssse3.Shuffle(v.AsByte(), indices.AsByte()).As<byte, T>();
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.VectorTableLookup(v.AsByte(), indices.AsByte()).As<byte, T>();
            }

            return Vector128.Shuffle(v.AsByte(), indices.AsByte()).As<byte, T>();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> PackedTail(T* w, T* x, int rows, int n, int r, Vector128<T> spread, Vector128<T> acc)
        {
            if (Avx.IsSupported)
            {
                for (var t = 0; t < rows; t += r)
                {
                    var wv = MaskLoad(w + (t * n), (rows - t) * n);
                    var xv = MaskLoad(x + t, rows - t);
                    acc = Fma(wv, Spread(xv, spread), acc);
                }

                return acc;
            }

            return PaddedTail(w, x, rows, n, r, spread, acc);
        }

        // The first `count` elements at p (all lanes when count ≥ lanes), the others 0 and not read (vmaskmovps xmm).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<T> MaskLoad(T* p, int count)
        {
            var mask = Vector128.LessThan(Vector128<T>.Indices, Vector128.Create(T.CreateTruncating(count)));
            return typeof(T) == typeof(float)
                ? Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>()
                : Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }

        // The last rows (fewer than lanes) from zero-padded copies: padding rows add 0·0.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Vector128<T> PaddedTail(T* w, T* x, int rows, int n, int r, Vector128<T> spread, Vector128<T> acc)
        {
            var lanes = Vector128<T>.Count;
            T* wt = stackalloc T[(lanes * lanes) + lanes];
            T* xt = stackalloc T[2 * lanes];
            new Span<T>(wt, (rows * n) + lanes).Clear();
            new Span<T>(xt, 2 * lanes).Clear();
            new ReadOnlySpan<T>(w, rows * n).CopyTo(new Span<T>(wt, rows * n));
            new ReadOnlySpan<T>(x, rows).CopyTo(new Span<T>(xt, rows));
            for (var t = 0; t < rows; t += r)
            {
                acc = Fma(Vector128.Load(wt + (t * n)), Spread(Vector128.Load(xt + t), spread), acc);
            }

            return acc;
        }
    }

    // Rows n = 1, 2, 3 for floats (element l takes l / n), byte by byte; row 1 (identity) also serves one double.
    private static ReadOnlySpan<byte> SpreadBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7,
        0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7,
    ];
}
