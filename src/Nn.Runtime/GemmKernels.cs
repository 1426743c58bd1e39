using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// The loops behind <see cref="Gemm"/>. Arguments are validated by the caller.
/// </summary>
/// <remarks>
/// <para>
/// A·B and Aᵀ·B share one kernel: A is read through strides (row stride k and column stride 1 for A,
/// 1 and m for Aᵀ), one scalar at a time, broadcast, and multiplied into vectors of B's row.
/// </para>
/// <para>
/// Register tiles: 4 rows × 2 vectors of C (8 independent accumulators, enough to keep two FMA pipes busy
/// through their 4-cycle latency; one accumulator per column block, as the first version had, left the
/// kernel latency-bound), reading a packed copy of B's k-block × 2-vector slice; then single vectors; then
/// the last, partial vector of each row computed as a full vector at n − w and stored only in its new lanes.
/// Fewer than 16 rows (batch 1) stream whole rows of B through 1 row × 4 vector tiles; fewer than 2 vectors of
/// columns (16 rows or more) become dot products along k over a transposed copy of B. Every multiply-add is
/// an explicit fused one. k is cut into blocks of <see cref="KBlock"/> so a tile's slice of B stays in L1;
/// C is written once per block, and the bias and ReLU are applied with the last block while the tile is
/// still in registers. Packing buffers are per thread and reused: a product allocates nothing.
/// Measured, step by step: docs/benchmarks.md.
/// </para>
/// <para>
/// <c>Vector&lt;T&gt;</c> is 256 bits wide on x64 even with AVX-512; on the AMD EPYC (Zen 5) this project measures
/// on, 256-bit and 512-bit FMAs reach the same peak (116 and 117 GFLOP/s on one core, docs/benchmarks.md), so
/// the portable width costs nothing there.
/// </para>
/// </remarks>
internal static class GemmKernels
{
    private const int KBlock = 256;
    private const int RowStreamBelow = 16;

    public static void Run<T>(
        ReadOnlySpan<T> aSpan, int aRowStride, int aColStride, ReadOnlySpan<T> bSpan, Span<T> cSpan,
        int m, int k, int n, ReadOnlySpan<T> biasSpan, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        // Narrow outputs (3 spiral scores, 10 classes, a logistic unit): too few columns for the 2-vector tiles, so turn the
        // product around and vectorize along k instead, over a transposed copy of B (worth its copy from 16 rows on).
        if (Vector.IsHardwareAccelerated && m >= RowStreamBelow && n < 2 * Vector<T>.Count && k >= Vector<T>.Count && aColStride == 1)
        {
            Narrow(aSpan, aRowStride, bSpan, cSpan, m, k, n, biasSpan, epilogue, accumulate);
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

    // C[i, j] = Σ_p A[i, p]·Bᵀ[j, p], with Bᵀ (n × k) packed once: each output is one vectorized dot product.
    private static void Narrow<T>(
        ReadOnlySpan<T> a, int aRowStride, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var transposed = Panel<T>.Get(n * k);
        for (var p = 0; p < k; p++)
        {
            for (var j = 0; j < n; j++)
            {
                transposed[(j * k) + p] = b[(p * n) + j];
            }
        }

        ref T bt = ref MemoryMarshal.GetArrayDataReference(transposed);
        ref T a0 = ref MemoryMarshal.GetReference(a);
        for (var i = 0; i < m; i++)
        {
            ref T row = ref Unsafe.Add(ref a0, i * aRowStride);
            for (var j = 0; j < n; j++)
            {
                var sum = DotVector(ref row, ref Unsafe.Add(ref bt, j * k), k);
                ref T cij = ref c[(i * n) + j];
                sum += (accumulate ? cij : T.Zero) + (bias.IsEmpty ? T.Zero : bias[j]);
                cij = epilogue == Epilogue.Relu && !(sum > T.Zero) ? T.Zero : sum;
            }
        }
    }

    public static void RunTransposeB<T>(ReadOnlySpan<T> aSpan, ReadOnlySpan<T> bSpan, Span<T> cSpan, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a = ref MemoryMarshal.GetReference(aSpan);
        ref T b = ref MemoryMarshal.GetReference(bSpan);
        ref T c = ref MemoryMarshal.GetReference(cSpan);
        var vectorized = Vector.IsHardwareAccelerated && k >= Vector<T>.Count;
        for (var i = 0; i < m; i++)
        {
            ref T aRow = ref Unsafe.Add(ref a, i * k);
            for (var j = 0; j < n; j++)
            {
                ref T bRow = ref Unsafe.Add(ref b, j * k);
                var sum = vectorized ? DotVector(ref aRow, ref bRow, k) : DotScalar(ref aRow, ref bRow, 0, k, T.Zero);
                ref T cij = ref Unsafe.Add(ref c, (i * n) + j);
                cij = accumulate ? cij + sum : sum;
            }
        }
    }

    private static void RunBlock<T>(ref Tile<T> t, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Few rows (batch 1, small batches): walking B column panel by column panel reuses nothing and pays an L2
        // latency per row of B (4×784×96 took 197 µs, 3 GFLOP/s). Streaming whole rows of B instead reads it once,
        // sequentially, with the row of C kept in L1.
        if (m < RowStreamBelow)
        {
            for (var i = 0; i < m; i++)
            {
                RowStream(ref t, i);
            }

            return;
        }

        var width = Vector.IsHardwareAccelerated ? Vector<T>.Count : t.N + 1;
        var j = 0;
        for (; j + (2 * width) <= t.N; j += 2 * width)
        {
            // Copy this block's slice of B (k-block × 2 vectors) into one contiguous panel first: read in place, its rows
            // sit n apart, and with n = 1024 that 4 KB stride maps them all onto the same few L1 sets (1024³ ran at 34
            // GFLOP/s). Every 4-row tile of the column reads the packed copy.
            var panel = Panel<T>.Get(KBlock * 2 * width);
            ref T packed = ref MemoryMarshal.GetArrayDataReference(panel);
            for (var p = t.P0; p < t.P1; p++)
            {
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref t.B, (p * t.N) + j), 2 * width)
                    .CopyTo(panel.AsSpan((p - t.P0) * 2 * width, 2 * width));
            }

            var i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Tile4x2(ref t, i, j, ref packed);
            }

            for (; i < m; i++)
            {
                Tile1x2(ref t, i, j);
            }
        }

        for (; j + width <= t.N; j += width)
        {
            for (var i = 0; i < m; i++)
            {
                Tile1x1(ref t, i, j);
            }
        }

        if (j < t.N)
        {
            Tail(ref t, 0, m, j);
        }
    }

    // One row of C, in chunks of 4 vectors held in registers across the k loop; then single vectors; then the tail.
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
        var keep = Vector.LessThan(Lanes<T>.Index + new Vector<T>(T.CreateTruncating(j0)), new Vector<T>(T.CreateTruncating(from)));
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

    /// <summary>This thread's packing buffer: allocated once, then reused, so a product allocates nothing.</summary>
    private static class Panel<T>
    {
        [ThreadStatic]
        private static T[]? t_buffer;

        public static T[] Get(int length)
        {
            var buffer = t_buffer;
            if (buffer is null || buffer.Length < length)
            {
                t_buffer = buffer = new T[length];
            }

            return buffer;
        }
    }

    /// <summary>0, 1, 2, … in the lanes of a vector.</summary>
    private static class Lanes<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static readonly Vector<T> Index = Create();

        private static Vector<T> Create()
        {
            Span<T> values = stackalloc T[Vector<T>.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = T.CreateTruncating(i);
            }

            return new Vector<T>(values);
        }
    }

    // 4 rows × 2 vectors: 8 accumulators.
    private static void Tile4x2<T>(ref Tile<T> t, int i, int j, ref T panel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Locals, not fields of t: the JIT keeps them in registers through the k loop.
        var w = Vector<T>.Count;
        int n = t.N, rs = t.RowStride, cs = t.ColStride, p0 = t.P0, p1 = t.P1;
        ref T c0 = ref Unsafe.Add(ref t.C, (i * n) + j);
        ref T c1 = ref Unsafe.Add(ref c0, n);
        ref T c2 = ref Unsafe.Add(ref c1, n);
        ref T c3 = ref Unsafe.Add(ref c2, n);
        Vector<T> x0 = default, y0 = default, x1 = default, y1 = default, x2 = default, y2 = default, x3 = default, y3 = default;
        if (t.Load)
        {
            x0 = Vector.LoadUnsafe(ref c0); y0 = Vector.LoadUnsafe(ref Unsafe.Add(ref c0, w));
            x1 = Vector.LoadUnsafe(ref c1); y1 = Vector.LoadUnsafe(ref Unsafe.Add(ref c1, w));
            x2 = Vector.LoadUnsafe(ref c2); y2 = Vector.LoadUnsafe(ref Unsafe.Add(ref c2, w));
            x3 = Vector.LoadUnsafe(ref c3); y3 = Vector.LoadUnsafe(ref Unsafe.Add(ref c3, w));
        }

        ref T a0 = ref Unsafe.Add(ref t.A, i * rs);
        ref T a1 = ref Unsafe.Add(ref a0, rs);
        ref T a2 = ref Unsafe.Add(ref a1, rs);
        ref T a3 = ref Unsafe.Add(ref a2, rs);
        for (var p = p0; p < p1; p++)
        {
            ref T bp = ref Unsafe.Add(ref panel, (p - p0) * 2 * w);
            var b0 = Vector.LoadUnsafe(ref bp);
            var b1 = Vector.LoadUnsafe(ref Unsafe.Add(ref bp, w));
            var offset = p * cs;
            var s = new Vector<T>(Unsafe.Add(ref a0, offset));
            x0 = Fma(s, b0, x0); y0 = Fma(s, b1, y0);
            s = new Vector<T>(Unsafe.Add(ref a1, offset));
            x1 = Fma(s, b0, x1); y1 = Fma(s, b1, y1);
            s = new Vector<T>(Unsafe.Add(ref a2, offset));
            x2 = Fma(s, b0, x2); y2 = Fma(s, b1, y2);
            s = new Vector<T>(Unsafe.Add(ref a3, offset));
            x3 = Fma(s, b0, x3); y3 = Fma(s, b1, y3);
        }

        Store(ref t, x0, ref c0, j); Store(ref t, y0, ref Unsafe.Add(ref c0, w), j + w);
        Store(ref t, x1, ref c1, j); Store(ref t, y1, ref Unsafe.Add(ref c1, w), j + w);
        Store(ref t, x2, ref c2, j); Store(ref t, y2, ref Unsafe.Add(ref c2, w), j + w);
        Store(ref t, x3, ref c3, j); Store(ref t, y3, ref Unsafe.Add(ref c3, w), j + w);
    }

    // 1 row × 2 vectors, with the k loop split in two chains: 4 accumulators for the rows (or the batch of 1) left over.
    private static void Tile1x2<T>(ref Tile<T> t, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector<T>.Count;
        int n = t.N, cs = t.ColStride, p1 = t.P1;
        ref T b = ref t.B;
        ref T c0 = ref Unsafe.Add(ref t.C, (i * n) + j);
        Vector<T> x = default, y = default, xo = default, yo = default;
        if (t.Load)
        {
            x = Vector.LoadUnsafe(ref c0);
            y = Vector.LoadUnsafe(ref Unsafe.Add(ref c0, w));
        }

        ref T a0 = ref Unsafe.Add(ref t.A, i * t.RowStride);
        var p = t.P0;
        for (; p + 2 <= p1; p += 2)
        {
            ref T bp = ref Unsafe.Add(ref b, (p * n) + j);
            ref T bq = ref Unsafe.Add(ref bp, n);
            var s = new Vector<T>(Unsafe.Add(ref a0, p * cs));
            var u = new Vector<T>(Unsafe.Add(ref a0, (p + 1) * cs));
            x = Fma(s, Vector.LoadUnsafe(ref bp), x);
            y = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, w)), y);
            xo = Fma(u, Vector.LoadUnsafe(ref bq), xo);
            yo = Fma(u, Vector.LoadUnsafe(ref Unsafe.Add(ref bq, w)), yo);
        }

        if (p < p1)
        {
            ref T bp = ref Unsafe.Add(ref b, (p * n) + j);
            var s = new Vector<T>(Unsafe.Add(ref a0, p * cs));
            x = Fma(s, Vector.LoadUnsafe(ref bp), x);
            y = Fma(s, Vector.LoadUnsafe(ref Unsafe.Add(ref bp, w)), y);
        }

        Store(ref t, x + xo, ref c0, j);
        Store(ref t, y + yo, ref Unsafe.Add(ref c0, w), j + w);
    }

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

    private static T DotVector<T>(ref T x, ref T y, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector<T> acc0 = default, acc1 = default;
        var w = Vector<T>.Count;
        var p = 0;
        for (; p + (2 * w) <= k; p += 2 * w)
        {
            acc0 = Fma(Vector.LoadUnsafe(ref Unsafe.Add(ref x, p)), Vector.LoadUnsafe(ref Unsafe.Add(ref y, p)), acc0);
            acc1 = Fma(Vector.LoadUnsafe(ref Unsafe.Add(ref x, p + w)), Vector.LoadUnsafe(ref Unsafe.Add(ref y, p + w)), acc1);
        }

        for (; p + w <= k; p += w)
        {
            acc0 = Fma(Vector.LoadUnsafe(ref Unsafe.Add(ref x, p)), Vector.LoadUnsafe(ref Unsafe.Add(ref y, p)), acc0);
        }

        return DotScalar(ref x, ref y, p, k, Vector.Sum(acc0 + acc1));
    }

    private static T DotScalar<T>(ref T x, ref T y, int from, int k, T sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var p = from; p < k; p++)
        {
            sum += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        }

        return sum;
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
