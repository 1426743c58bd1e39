using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// Narrow outputs, n below one <see cref="Vector{T}"/> (3 spiral scores, 1 logistic output): too few columns for a
/// register tile of C, so the products are turned around.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="NarrowRows{T, TN}"/> (A·B, A's rows contiguous): 4 rows of A at once, each of the n columns of B (packed
/// as Bᵀ) a dot product along k in its own accumulator, so every vector of A and of Bᵀ loaded feeds 4n FMAs; the
/// accumulators are reduced once at the end. <see cref="NarrowColumns{T, TN}"/> (Aᵀ·B, A stored k × m): C's n columns
/// are vectorized along m instead, 4 vectors of rows at a time, with B[p, j] broadcast: no reduction at all, and the
/// tile is written to C through a transposing loop.
/// </para>
/// <para>
/// They replaced one dot product per output (forward 64×100·100×3: 1.9 µs of a 7.7 µs 2-100-3 training step) and the
/// blocked path's 4-lane edge kernel (h₁ᵀ·dscores, 100×64·64×3: 1.2 µs), perf on the NativeAOT build, batch 64.
/// The accumulators are written out by hand (one line per row or vector, identical but for the index); the
/// <c>if (TN.Value &gt; j)</c> tests are constants in each instantiation, so an n = 3 kernel keeps 12 accumulators.
/// </para>
/// </remarks>
internal static partial class GemmKernels
{
    private interface IColumns
    {
        static abstract int Value { get; }
    }

    private struct N1 : IColumns { public static int Value => 1; }
    private struct N2 : IColumns { public static int Value => 2; }
    private struct N3 : IColumns { public static int Value => 3; }
    private struct N4 : IColumns { public static int Value => 4; }
    private struct N5 : IColumns { public static int Value => 5; }
    private struct N6 : IColumns { public static int Value => 6; }
    private struct N7 : IColumns { public static int Value => 7; }

    // C[i, j] = Σ_p A[i, p]·Bᵀ[j, p], with Bᵀ (n × k) packed once. B's and C's rows are ldb and ldc apart (n, or the
    // whole width when these are the last columns of a wider product).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow<T>(
        ReadOnlySpan<T> a, int aRowStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var transposed = Panel<T>.Get(n * k);
        for (var p = 0; p < k; p++)
        {
            for (var j = 0; j < n; j++)
            {
                transposed[(j * k) + p] = b[(p * ldb) + j];
            }
        }

        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T bt = ref MemoryMarshal.GetArrayDataReference(transposed);
        ref T pc = ref MemoryMarshal.GetReference(c);
        var flags = Flags(bias, epilogue, accumulate);
        ref T pbias = ref MemoryMarshal.GetReference(bias);
        switch (n)
        {
            case 1: Rows<T, N1>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            case 2: Rows<T, N2>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            case 3: Rows<T, N3>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            case 4: Rows<T, N4>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            case 5: Rows<T, N5>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            case 6: Rows<T, N6>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
            default: Rows<T, N7>(ref pa, aRowStride, ref bt, ref pc, ldc, m, k, ref pbias, flags); break;
        }
    }

    // 512-bit vectors where AVX-512 has them and the dot products are long (GemmKernels.Narrow512.cs), Vector<T>
    // elsewhere. For short k the wider reductions at the end cost more than the halved k loop saves: a 2-100-3 forward
    // at batch 256 (k = 100) took 5.1–5.4 µs with 512-bit vectors against 4.6–4.7 µs with 256-bit ones, while
    // 784-100-10 took 229 µs against 240–278 µs (bench/Aot --quick, alternating runs).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows<T, TN>(ref T a, nint lda, ref T bt, ref T c, nint ldc, int m, int k, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TN : struct, IColumns
    {
        if (Use512 && k >= 256)
        {
            NarrowRows512<T, TN>(ref a, lda, ref bt, ref c, ldc, m, k, ref bias, flags);
        }
        else
        {
            NarrowRows<T, TN>(ref a, lda, ref bt, ref c, ldc, m, k, ref bias, flags);
        }
    }

    // C = Aᵀ·B with A stored [k×m] (row p of A holds A[p, 0..m), contiguous), n narrow and m ≥ 4 vectors; B's and C's
    // rows ldb and ldc apart.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTransposedA<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        ref T pc = ref MemoryMarshal.GetReference(c);
        var flags = Flags(bias, epilogue, accumulate);
        ref T pbias = ref MemoryMarshal.GetReference(bias);
        switch (n)
        {
            case 1: NarrowColumns<T, N1>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            case 2: NarrowColumns<T, N2>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            case 3: NarrowColumns<T, N3>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            case 4: NarrowColumns<T, N4>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            case 5: NarrowColumns<T, N5>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            case 6: NarrowColumns<T, N6>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
            default: NarrowColumns<T, N7>(ref pa, ref pb, ldb, ref pc, ldc, m, k, ref pbias, flags); break;
        }
    }

    private static int Flags<T>(ReadOnlySpan<T> bias, Epilogue epilogue, bool accumulate) =>
        (accumulate ? LoadC : 0) | (bias.IsEmpty ? 0 : AddBias) | (epilogue == Epilogue.Relu ? ApplyRelu : 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowRows<T, TN>(ref T a, nint lda, ref T bt, ref T c, nint ldc, int m, int k, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TN : struct, IColumns
    {
        var n = TN.Value;
        var w = Vector<T>.Count;
        for (var i = 0; i < m; i += 4)
        {
            // rows past m read the last row again and are not stored
            ref T r0 = ref Unsafe.Add(ref a, i * lda);
            ref T r1 = ref Unsafe.Add(ref a, Math.Min(i + 1, m - 1) * lda);
            ref T r2 = ref Unsafe.Add(ref a, Math.Min(i + 2, m - 1) * lda);
            ref T r3 = ref Unsafe.Add(ref a, Math.Min(i + 3, m - 1) * lda);
            Vector<T> x00 = default, x10 = default, x20 = default, x30 = default;
            Vector<T> x01 = default, x11 = default, x21 = default, x31 = default;
            Vector<T> x02 = default, x12 = default, x22 = default, x32 = default;
            Vector<T> x03 = default, x13 = default, x23 = default, x33 = default;
            Vector<T> x04 = default, x14 = default, x24 = default, x34 = default;
            Vector<T> x05 = default, x15 = default, x25 = default, x35 = default;
            Vector<T> x06 = default, x16 = default, x26 = default, x36 = default;
            var p = 0;
            for (; p + w <= k; p += w)
            {
                var v0 = Vector.LoadUnsafe(ref r0, (nuint)p);
                var v1 = Vector.LoadUnsafe(ref r1, (nuint)p);
                var v2 = Vector.LoadUnsafe(ref r2, (nuint)p);
                var v3 = Vector.LoadUnsafe(ref r3, (nuint)p);
                if (n > 0) { var b0 = Vector.LoadUnsafe(ref bt, (nuint)(0 * k + p)); x00 = Fma(v0, b0, x00); x10 = Fma(v1, b0, x10); x20 = Fma(v2, b0, x20); x30 = Fma(v3, b0, x30); }
                if (n > 1) { var b1 = Vector.LoadUnsafe(ref bt, (nuint)(1 * k + p)); x01 = Fma(v0, b1, x01); x11 = Fma(v1, b1, x11); x21 = Fma(v2, b1, x21); x31 = Fma(v3, b1, x31); }
                if (n > 2) { var b2 = Vector.LoadUnsafe(ref bt, (nuint)(2 * k + p)); x02 = Fma(v0, b2, x02); x12 = Fma(v1, b2, x12); x22 = Fma(v2, b2, x22); x32 = Fma(v3, b2, x32); }
                if (n > 3) { var b3 = Vector.LoadUnsafe(ref bt, (nuint)(3 * k + p)); x03 = Fma(v0, b3, x03); x13 = Fma(v1, b3, x13); x23 = Fma(v2, b3, x23); x33 = Fma(v3, b3, x33); }
                if (n > 4) { var b4 = Vector.LoadUnsafe(ref bt, (nuint)(4 * k + p)); x04 = Fma(v0, b4, x04); x14 = Fma(v1, b4, x14); x24 = Fma(v2, b4, x24); x34 = Fma(v3, b4, x34); }
                if (n > 5) { var b5 = Vector.LoadUnsafe(ref bt, (nuint)(5 * k + p)); x05 = Fma(v0, b5, x05); x15 = Fma(v1, b5, x15); x25 = Fma(v2, b5, x25); x35 = Fma(v3, b5, x35); }
                if (n > 6) { var b6 = Vector.LoadUnsafe(ref bt, (nuint)(6 * k + p)); x06 = Fma(v0, b6, x06); x16 = Fma(v1, b6, x16); x26 = Fma(v2, b6, x26); x36 = Fma(v3, b6, x36); }
            }

            // the k-tail as one more vector ending at k: lanes already summed (below p) are zeroed in A's vectors
            if (p < k)
            {
                var q = k - w;
                var fresh = Vector.GreaterThanOrEqual(Vector<T>.Indices, new Vector<T>(T.CreateTruncating(p - q)));
                var v0 = Vector.ConditionalSelect(fresh, Vector.LoadUnsafe(ref r0, (nuint)q), Vector<T>.Zero);
                var v1 = Vector.ConditionalSelect(fresh, Vector.LoadUnsafe(ref r1, (nuint)q), Vector<T>.Zero);
                var v2 = Vector.ConditionalSelect(fresh, Vector.LoadUnsafe(ref r2, (nuint)q), Vector<T>.Zero);
                var v3 = Vector.ConditionalSelect(fresh, Vector.LoadUnsafe(ref r3, (nuint)q), Vector<T>.Zero);
                if (n > 0) { var b0 = Vector.LoadUnsafe(ref bt, (nuint)(0 * k + q)); x00 = Fma(v0, b0, x00); x10 = Fma(v1, b0, x10); x20 = Fma(v2, b0, x20); x30 = Fma(v3, b0, x30); }
                if (n > 1) { var b1 = Vector.LoadUnsafe(ref bt, (nuint)(1 * k + q)); x01 = Fma(v0, b1, x01); x11 = Fma(v1, b1, x11); x21 = Fma(v2, b1, x21); x31 = Fma(v3, b1, x31); }
                if (n > 2) { var b2 = Vector.LoadUnsafe(ref bt, (nuint)(2 * k + q)); x02 = Fma(v0, b2, x02); x12 = Fma(v1, b2, x12); x22 = Fma(v2, b2, x22); x32 = Fma(v3, b2, x32); }
                if (n > 3) { var b3 = Vector.LoadUnsafe(ref bt, (nuint)(3 * k + q)); x03 = Fma(v0, b3, x03); x13 = Fma(v1, b3, x13); x23 = Fma(v2, b3, x23); x33 = Fma(v3, b3, x33); }
                if (n > 4) { var b4 = Vector.LoadUnsafe(ref bt, (nuint)(4 * k + q)); x04 = Fma(v0, b4, x04); x14 = Fma(v1, b4, x14); x24 = Fma(v2, b4, x24); x34 = Fma(v3, b4, x34); }
                if (n > 5) { var b5 = Vector.LoadUnsafe(ref bt, (nuint)(5 * k + q)); x05 = Fma(v0, b5, x05); x15 = Fma(v1, b5, x15); x25 = Fma(v2, b5, x25); x35 = Fma(v3, b5, x35); }
                if (n > 6) { var b6 = Vector.LoadUnsafe(ref bt, (nuint)(6 * k + q)); x06 = Fma(v0, b6, x06); x16 = Fma(v1, b6, x16); x26 = Fma(v2, b6, x26); x36 = Fma(v3, b6, x36); }
            }

            // no call may come while the accumulators are live: with one after the loop (the scalar k-tail), the register
            // allocator stored all 12 to the stack on every k step (spill at definition), as costly as the FMAs
            T s00 = Vector.Sum(x00), s10 = Vector.Sum(x10), s20 = Vector.Sum(x20), s30 = Vector.Sum(x30);
            T s01 = n > 1 ? Vector.Sum(x01) : T.Zero, s11 = n > 1 ? Vector.Sum(x11) : T.Zero, s21 = n > 1 ? Vector.Sum(x21) : T.Zero, s31 = n > 1 ? Vector.Sum(x31) : T.Zero;
            T s02 = n > 2 ? Vector.Sum(x02) : T.Zero, s12 = n > 2 ? Vector.Sum(x12) : T.Zero, s22 = n > 2 ? Vector.Sum(x22) : T.Zero, s32 = n > 2 ? Vector.Sum(x32) : T.Zero;
            T s03 = n > 3 ? Vector.Sum(x03) : T.Zero, s13 = n > 3 ? Vector.Sum(x13) : T.Zero, s23 = n > 3 ? Vector.Sum(x23) : T.Zero, s33 = n > 3 ? Vector.Sum(x33) : T.Zero;
            T s04 = n > 4 ? Vector.Sum(x04) : T.Zero, s14 = n > 4 ? Vector.Sum(x14) : T.Zero, s24 = n > 4 ? Vector.Sum(x24) : T.Zero, s34 = n > 4 ? Vector.Sum(x34) : T.Zero;
            T s05 = n > 5 ? Vector.Sum(x05) : T.Zero, s15 = n > 5 ? Vector.Sum(x15) : T.Zero, s25 = n > 5 ? Vector.Sum(x25) : T.Zero, s35 = n > 5 ? Vector.Sum(x35) : T.Zero;
            T s06 = n > 6 ? Vector.Sum(x06) : T.Zero, s16 = n > 6 ? Vector.Sum(x16) : T.Zero, s26 = n > 6 ? Vector.Sum(x26) : T.Zero, s36 = n > 6 ? Vector.Sum(x36) : T.Zero;
            var rows = Math.Min(4, m - i);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 0), s00, ref bias, 0, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 0), s10, ref bias, 0, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 0), s20, ref bias, 0, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 0), s30, ref bias, 0, flags);
            }
            if (n > 1)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 1), s01, ref bias, 1, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 1), s11, ref bias, 1, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 1), s21, ref bias, 1, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 1), s31, ref bias, 1, flags);
            }
            if (n > 2)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 2), s02, ref bias, 2, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 2), s12, ref bias, 2, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 2), s22, ref bias, 2, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 2), s32, ref bias, 2, flags);
            }
            if (n > 3)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 3), s03, ref bias, 3, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 3), s13, ref bias, 3, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 3), s23, ref bias, 3, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 3), s33, ref bias, 3, flags);
            }
            if (n > 4)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 4), s04, ref bias, 4, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 4), s14, ref bias, 4, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 4), s24, ref bias, 4, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 4), s34, ref bias, 4, flags);
            }
            if (n > 5)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 5), s05, ref bias, 5, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 5), s15, ref bias, 5, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 5), s25, ref bias, 5, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 5), s35, ref bias, 5, flags);
            }
            if (n > 6)
            {
                Put(ref Unsafe.Add(ref ci, (0 * ldc) + 6), s06, ref bias, 6, flags);
                if (rows > 1) Put(ref Unsafe.Add(ref ci, (1 * ldc) + 6), s16, ref bias, 6, flags);
                if (rows > 2) Put(ref Unsafe.Add(ref ci, (2 * ldc) + 6), s26, ref bias, 6, flags);
                if (rows > 3) Put(ref Unsafe.Add(ref ci, (3 * ldc) + 6), s36, ref bias, 6, flags);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowColumns<T, TN>(ref T a, ref T b, nint ldb, ref T c, nint ldc, int m, int k, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TN : struct, IColumns
    {
        var n = TN.Value;
        var w = Vector<T>.Count;
        Span<T> tile = stackalloc T[7 * 4 * Vector<T>.Count];   // [column j][row of the block]
        for (var done = 0; done < m;)
        {
            // the last block ends at m and overlaps the one before; its lanes below `done` are not stored again
            var i = Math.Min(done, m - (4 * w));
            ref T ai = ref Unsafe.Add(ref a, i);
            Vector<T> y00 = default, y10 = default, y20 = default, y30 = default;
            Vector<T> y01 = default, y11 = default, y21 = default, y31 = default;
            Vector<T> y02 = default, y12 = default, y22 = default, y32 = default;
            Vector<T> y03 = default, y13 = default, y23 = default, y33 = default;
            Vector<T> y04 = default, y14 = default, y24 = default, y34 = default;
            Vector<T> y05 = default, y15 = default, y25 = default, y35 = default;
            Vector<T> y06 = default, y16 = default, y26 = default, y36 = default;
            for (var p = 0; p < k; p++)
            {
                ref T row = ref Unsafe.Add(ref ai, (nint)p * m);
                var v0 = Vector.LoadUnsafe(ref row);
                var v1 = Vector.LoadUnsafe(ref row, (nuint)w);
                var v2 = Vector.LoadUnsafe(ref row, (nuint)(2 * w));
                var v3 = Vector.LoadUnsafe(ref row, (nuint)(3 * w));
                ref T bp = ref Unsafe.Add(ref b, p * ldb);
                { var s0 = new Vector<T>(Unsafe.Add(ref bp, 0)); y00 = Fma(v0, s0, y00); y10 = Fma(v1, s0, y10); y20 = Fma(v2, s0, y20); y30 = Fma(v3, s0, y30); }
                if (n > 1) { var s1 = new Vector<T>(Unsafe.Add(ref bp, 1)); y01 = Fma(v0, s1, y01); y11 = Fma(v1, s1, y11); y21 = Fma(v2, s1, y21); y31 = Fma(v3, s1, y31); }
                if (n > 2) { var s2 = new Vector<T>(Unsafe.Add(ref bp, 2)); y02 = Fma(v0, s2, y02); y12 = Fma(v1, s2, y12); y22 = Fma(v2, s2, y22); y32 = Fma(v3, s2, y32); }
                if (n > 3) { var s3 = new Vector<T>(Unsafe.Add(ref bp, 3)); y03 = Fma(v0, s3, y03); y13 = Fma(v1, s3, y13); y23 = Fma(v2, s3, y23); y33 = Fma(v3, s3, y33); }
                if (n > 4) { var s4 = new Vector<T>(Unsafe.Add(ref bp, 4)); y04 = Fma(v0, s4, y04); y14 = Fma(v1, s4, y14); y24 = Fma(v2, s4, y24); y34 = Fma(v3, s4, y34); }
                if (n > 5) { var s5 = new Vector<T>(Unsafe.Add(ref bp, 5)); y05 = Fma(v0, s5, y05); y15 = Fma(v1, s5, y15); y25 = Fma(v2, s5, y25); y35 = Fma(v3, s5, y35); }
                if (n > 6) { var s6 = new Vector<T>(Unsafe.Add(ref bp, 6)); y06 = Fma(v0, s6, y06); y16 = Fma(v1, s6, y16); y26 = Fma(v2, s6, y26); y36 = Fma(v3, s6, y36); }
            }

            {
                y00.CopyTo(tile.Slice(((0 * 4) + 0) * w));
                y10.CopyTo(tile.Slice(((0 * 4) + 1) * w));
                y20.CopyTo(tile.Slice(((0 * 4) + 2) * w));
                y30.CopyTo(tile.Slice(((0 * 4) + 3) * w));
            }
            if (n > 1)
            {
                y01.CopyTo(tile.Slice(((1 * 4) + 0) * w));
                y11.CopyTo(tile.Slice(((1 * 4) + 1) * w));
                y21.CopyTo(tile.Slice(((1 * 4) + 2) * w));
                y31.CopyTo(tile.Slice(((1 * 4) + 3) * w));
            }
            if (n > 2)
            {
                y02.CopyTo(tile.Slice(((2 * 4) + 0) * w));
                y12.CopyTo(tile.Slice(((2 * 4) + 1) * w));
                y22.CopyTo(tile.Slice(((2 * 4) + 2) * w));
                y32.CopyTo(tile.Slice(((2 * 4) + 3) * w));
            }
            if (n > 3)
            {
                y03.CopyTo(tile.Slice(((3 * 4) + 0) * w));
                y13.CopyTo(tile.Slice(((3 * 4) + 1) * w));
                y23.CopyTo(tile.Slice(((3 * 4) + 2) * w));
                y33.CopyTo(tile.Slice(((3 * 4) + 3) * w));
            }
            if (n > 4)
            {
                y04.CopyTo(tile.Slice(((4 * 4) + 0) * w));
                y14.CopyTo(tile.Slice(((4 * 4) + 1) * w));
                y24.CopyTo(tile.Slice(((4 * 4) + 2) * w));
                y34.CopyTo(tile.Slice(((4 * 4) + 3) * w));
            }
            if (n > 5)
            {
                y05.CopyTo(tile.Slice(((5 * 4) + 0) * w));
                y15.CopyTo(tile.Slice(((5 * 4) + 1) * w));
                y25.CopyTo(tile.Slice(((5 * 4) + 2) * w));
                y35.CopyTo(tile.Slice(((5 * 4) + 3) * w));
            }
            if (n > 6)
            {
                y06.CopyTo(tile.Slice(((6 * 4) + 0) * w));
                y16.CopyTo(tile.Slice(((6 * 4) + 1) * w));
                y26.CopyTo(tile.Slice(((6 * 4) + 2) * w));
                y36.CopyTo(tile.Slice(((6 * 4) + 3) * w));
            }

            // stored first, then scattered: a call while the accumulators are live spills them on every k step
            Scatter(tile, ref c, ldc, i, done, 4 * w, n, ref bias, flags);
            done = i + (4 * w);
        }
    }

    // C[i, j] = epilogue(sum (+ C[i, j]) + bias[j]), the order of the other kernels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<T>(ref T cij, T sum, ref T bias, int j, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((flags & LoadC) != 0)
        {
            sum = cij + sum;
        }

        if ((flags & AddBias) != 0)
        {
            sum += Unsafe.Add(ref bias, j);
        }

        cij = (flags & ApplyRelu) != 0 && !(sum > T.Zero) ? T.Zero : sum;
    }

    // tile[j·rows + r] is C[first + r, j]; rows below `done` were stored by the previous block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter<T>(ReadOnlySpan<T> tile, ref T c, nint ldc, int first, int done, int rows, int n, ref T bias, int flags)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = Math.Max(0, done - first); r < rows; r++)
        {
            ref T ci = ref Unsafe.Add(ref c, (first + r) * ldc);
            for (var j = 0; j < n; j++)
            {
                Put(ref Unsafe.Add(ref ci, j), tile[(j * rows) + r], ref bias, j, flags);
            }
        }
    }
}
