using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// Vector256 (AVX2 without AVX-512) for the loops of Gemv.Kernels256And128.cs; Gemv.Kernels128.cs is the same for
/// Vector128. What is particular to this width: Spread is one vpermps, and Packed reads its last rows with AVX's masked
/// loads.
/// </summary>
public static partial class Gemv
{
    private readonly unsafe struct Simd256<T> : ISimd<T, Vector256<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Lanes => Vector256<T>.Count;

        public static int RowShift => Vector256<T>.Count == 8 ? 1 : 2;

        public static Vector256<T> Zero => Vector256<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(T* p) => Vector256.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> v, T* p) => Vector256.Store(v, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;

        // The test is written out here, not shared (see GemmKernels.Micro256.cs): through a property, the JIT kept every
        // vector passed to it in a stack slot where there is no FMA.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
            System.Runtime.Intrinsics.X86.Fma.IsSupported
                ? typeof(T) == typeof(float)
                    ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
                    : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
                : (a * b) + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Relu(Vector256<T> v) => Vector256.Max(v, Vector256<T>.Zero);

        // Int32 lane indices for Avx2.PermuteVar8x32 that move element l / n to element l, with l / n computed as in
        // SpreadIndices (a double is two int32 lanes: lane q of element q / 2 takes int32 2·(source) + q mod 2).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> SpreadIndices(int n)
        {
            var magic = SpreadMagic[n];
            var q = Vector256<int>.Indices;
            if (Unsafe.SizeOf<T>() == sizeof(float))
            {
                return Vector256.ShiftRightLogical(q * magic, 16).As<int, T>();
            }

            var source = Vector256.ShiftRightLogical(Vector256.ShiftRightLogical(q, 1) * magic, 16);
            return (Vector256.ShiftLeft(source, 1) | (q & Vector256<int>.One)).As<int, T>();
        }

        // Vector256 is accelerated on x64 only, where it means AVX2 and so vpermps.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Spread(Vector256<T> v, Vector256<T> indices) =>
            Avx2.IsSupported
                ? Avx2.PermuteVar8x32(v.AsSingle(), indices.AsInt32()).As<float, T>()
                : Vector256.Shuffle(v.AsInt32(), indices.AsInt32()).As<int, T>();

        // Masked loads (AVX, which every Vector256 machine has) read only the rows that are there, the rest of the lanes
        // as 0; a zero-padded copy was 30 % of the 100×3 layer's time.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> PackedTail(T* w, T* x, int rows, int n, int r, Vector256<T> spread, Vector256<T> acc)
        {
            for (var t = 0; t < rows; t += r)
            {
                var wv = MaskLoad(w + (t * n), (rows - t) * n);
                var xv = MaskLoad(x + t, rows - t);
                acc = Fma(wv, Spread(xv, spread), acc);
            }

            return acc;
        }

        // The first `count` elements at p (all lanes when count ≥ lanes), the others 0 and not read.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<T> MaskLoad(T* p, int count)
        {
            var mask = Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(count)));
            return typeof(T) == typeof(float)
                ? Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>()
                : Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }
    }
}
