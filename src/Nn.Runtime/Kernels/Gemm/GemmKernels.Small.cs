using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// Products with very few rows of C (fewer than <see cref="BlockedFromRows"/>), where packing B would cost more than it
/// saves: whole rows of B are streamed through 1 row × 4 vector tiles (<c>Vector&lt;T&gt;</c> wide), A read through strides.
/// Also the narrow-output and dot-product paths. The batch-1 hot path of generated code is served by other kernels.
/// </summary>
internal static partial class GemmKernels
{
    private const int KBlock = 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunSmall<T>(
        ReadOnlySpan<T> aSpan, int aRowStride, int aColStride, ReadOnlySpan<T> bSpan, Span<T> cSpan,
        int m, int k, int n, ReadOnlySpan<T> biasSpan, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        var tile = new Tile<T>
        {
            A = ref MemoryMarshal.GetReference(aSpan),
            B = ref MemoryMarshal.GetReference(bSpan),
            C = ref MemoryMarshal.GetReference(cSpan),
            Bias = ref MemoryMarshal.GetReference(biasSpan),
            RowStride = aRowStride,
            ColStride = aColStride,
            N = n,
            HasBias = !biasSpan.IsEmpty,
            Relu = epilogue == Epilogue.Relu,
        };

        // k = 0 still has to write C (zero or kept), then bias and epilogue: one empty block does it.
        for (var p0 = 0; p0 < k || p0 == 0; p0 += KBlock)
        {
            tile.P0 = p0;
            tile.P1 = Math.Min(k, p0 + KBlock);
            tile.Load = accumulate || p0 > 0;
            tile.Finish = tile.P1 == k;
            RunBlock(ref tile, m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlock<T>(ref Tile<T> t, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Few rows (batch 1, small batches): walking B column panel by column panel reuses nothing and pays an L2
        // latency per row of B (4×784×96 took 197 µs, 3 GFLOP/s). Streaming whole rows of B instead reads it once,
        // sequentially, with the row of C kept in L1.
        for (var i = 0; i < m; i++)
        {
            RowStream(ref t, i);
        }
    }

    // One row of C, in chunks of 4 vectors held in registers across the k loop; then single vectors; then the tail.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowStream<T>(ref Tile<T> t, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector.IsHardwareAccelerated ? Vector<T>.Count : t.N + 1;
        var j = 0;
        for (; j + (4 * w) <= t.N; j += 4 * w)
        {
            Tile1x4(ref t, i, j);
        }

        for (; j + w <= t.N; j += w)
        {
            Tile1x1(ref t, i, j);
        }

        if (j < t.N)
        {
            Tail(ref t, i, 1, j);
        }
    }

    // 1 row × 4 vectors, k taken two rows of B at a time into separate accumulators: 8 independent chains, so a single
    // row (batch 1) keeps both FMA pipes busy instead of waiting out each FMA's latency. B is read 4 vectors
    // (128 bytes) contiguous per row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x4<T>(ref Tile<T> t, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector<T>.Count;
        int n = t.N, cs = t.ColStride, p1 = t.P1;
        ref T b = ref t.B;
        ref T c0 = ref Unsafe.Add(ref t.C, (i * n) + j);
        Vector<T> x0 = default, x1 = default, x2 = default, x3 = default, y0 = default, y1 = default, y2 = default, y3 = default;
        if (t.Load)
        {
            x0 = Vector.LoadUnsafe(ref c0);
            x1 = Vector.LoadUnsafe(ref Unsafe.Add(ref c0, w));
            x2 = Vector.LoadUnsafe(ref Unsafe.Add(ref c0, 2 * w));
            x3 = Vector.LoadUnsafe(ref Unsafe.Add(ref c0, 3 * w));
        }

        ref T a0 = ref Unsafe.Add(ref t.A, i * t.RowStride);
        var p = t.P0;
        for (; p + 2 <= p1; p += 2)
        {
            ref T bp = ref Unsafe.Add(ref b, (p * n) + j);
            ref T bq = ref Unsafe.Add(ref bp, n);
            var s = new Vector<T>(Unsafe.Add(ref a0, p * cs));
            var u = new Vector<T>(Unsafe.Add(ref a0, (p + 1) * cs));
            x0 = Fma(s, Vector.LoadUnsafe(ref bp), x0);
            x1 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, w)), x1);
            x2 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, 2 * w)), x2);
            x3 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, 3 * w)), x3);
            y0 = Fma(u, Vector.LoadUnsafe(ref bq), y0);
            y1 = Fma(u, Vector.LoadUnsafe(ref Unsafe.Add(ref bq, w)), y1);
            y2 = Fma(u, Vector.LoadUnsafe(ref Unsafe.Add(ref bq, 2 * w)), y2);
            y3 = Fma(u, Vector.LoadUnsafe(ref Unsafe.Add(ref bq, 3 * w)), y3);
        }

        if (p < p1)
        {
            ref T bp = ref Unsafe.Add(ref b, (p * n) + j);
            var s = new Vector<T>(Unsafe.Add(ref a0, p * cs));
            x0 = Fma(s, Vector.LoadUnsafe(ref bp), x0);
            x1 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, w)), x1);
            x2 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, 2 * w)), x2);
            x3 = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, 3 * w)), x3);
        }

        Store(ref t, x0 + y0, ref c0, j);
        Store(ref t, x1 + y1, ref Unsafe.Add(ref c0, w), j + w);
        Store(ref t, x2 + y2, ref Unsafe.Add(ref c0, 2 * w), j + (2 * w));
        Store(ref t, x3 + y3, ref Unsafe.Add(ref c0, 3 * w), j + (3 * w));
    }

    // The columns [from, n) that do not fill a vector, for rows i … i + rows − 1. When n ≥ one vector, the last vector
    // of the row, [n − w, n), is computed instead and only its lanes from `from` on are stored: no strided scalar loop
    // over B (with n = 100 the 4 scalar columns took as long as the 96 vector ones), and no lane written twice.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tail<T>(ref Tile<T> t, int i, int rows, int from)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector<T>.Count;
        if (!Vector.IsHardwareAccelerated || t.N < w)
        {
            for (var r = i; r < i + rows; r++)
            {
                for (var j = from; j < t.N; j++)
                {
                    TileScalar(ref t, r, j);
                }
            }

            return;
        }

        int n = t.N, cs = t.ColStride, p1 = t.P1, j0 = n - w;
        var keep = Vector.LessThan(Vector<T>.Indices + new Vector<T>(T.CreateTruncating(j0)), new Vector<T>(T.CreateTruncating(from)));
        ref T b = ref t.B;
        for (var r = i; r < i + rows; r++)
        {
            ref T c0 = ref Unsafe.Add(ref t.C, (r * n) + j0);
            var old = Vector.LoadUnsafe(ref c0);
            var acc = t.Load ? old : Vector<T>.Zero;
            var odd = Vector<T>.Zero;
            ref T a0 = ref Unsafe.Add(ref t.A, r * t.RowStride);
            var p = t.P0;
            for (; p + 2 <= p1; p += 2)
            {
                acc = Fma(new Vector<T>(Unsafe.Add(ref a0, p * cs)), Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j0)), acc);
                odd = Fma(new Vector<T>(Unsafe.Add(ref a0, (p + 1) * cs)), Vector.LoadUnsafe(ref Unsafe.Add(ref b, ((p + 1) * n) + j0)), odd);
            }

            if (p < p1)
            {
                acc = Fma(new Vector<T>(Unsafe.Add(ref a0, p * cs)), Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j0)), acc);
            }

            Store(ref t, acc + odd, ref c0, j0);
            Vector.StoreUnsafe(Vector.ConditionalSelect(keep, old, Vector.LoadUnsafe(ref c0)), ref c0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x1<T>(ref Tile<T> t, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = t.N, cs = t.ColStride, p1 = t.P1;
        ref T b = ref t.B;
        ref T c0 = ref Unsafe.Add(ref t.C, (i * n) + j);
        var acc = t.Load ? Vector.LoadUnsafe(ref c0) : Vector<T>.Zero;
        ref T a0 = ref Unsafe.Add(ref t.A, i * t.RowStride);
        for (var p = t.P0; p < p1; p++)
        {
            acc = Fma(new Vector<T>(Unsafe.Add(ref a0, p * cs)), Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j)), acc);
        }

        Store(ref t, acc, ref c0, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileScalar<T>(ref Tile<T> t, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = t.N, cs = t.ColStride, p1 = t.P1;
        ref T b = ref t.B;
        ref T cij = ref Unsafe.Add(ref t.C, (i * n) + j);
        var sum = t.Load ? cij : T.Zero;
        ref T a0 = ref Unsafe.Add(ref t.A, i * t.RowStride);
        for (var p = t.P0; p < p1; p++)
        {
            sum += Unsafe.Add(ref a0, p * cs) * Unsafe.Add(ref b, (p * n) + j);
        }

        if (t.Finish)
        {
            sum += t.HasBias ? Unsafe.Add(ref t.Bias, j) : T.Zero;
            sum = t.Relu && !(sum > T.Zero) ? T.Zero : sum;
        }

        cij = sum;
    }

    // The epilogue, fused: on the last k block, add the bias and apply the ReLU before the only store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref Tile<T> t, Vector<T> value, ref T destination, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Finish)
        {
            if (t.HasBias)
            {
                value += Vector.LoadUnsafe(ref Unsafe.Add(ref t.Bias, j));
            }

            if (t.Relu)
            {
                value = Vector.Max(value, Vector<T>.Zero);
            }
        }

        Vector.StoreUnsafe(value, ref destination);
    }

    // a·b + c in one rounding; the typeof tests are constants to the JIT, so each T keeps one instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            return (a * b) + c;
        }

        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return (a * b) + c;
    }

    /// <summary>Everything a tile routine needs, passed by reference so the loops see plain locals.</summary>
    private ref struct Tile<T>
        where T : unmanaged
    {
        public ref T A;
        public ref T B;
        public ref T C;
        public ref T Bias;
        public int RowStride;
        public int ColStride;
        public int N;
        public int P0;
        public int P1;
        public bool HasBias;
        public bool Relu;
        public bool Load;
        public bool Finish;
    }
}
