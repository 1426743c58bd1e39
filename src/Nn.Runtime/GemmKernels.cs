using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// The loops behind <see cref="Gemm"/>. Arguments are validated by the caller.
/// </summary>
/// <remarks>
/// A·B and Aᵀ·B share one kernel: A is read through strides (row stride k and column stride 1 for A,
/// 1 and m for Aᵀ), one scalar at a time, and broadcast against a vector of B's row. Each tile is
/// 4 rows × <c>Vector&lt;T&gt;.Count</c> columns held in four accumulators across the whole k loop,
/// so C is written once, with the bias and ReLU applied on the way out. Columns left over after the
/// last full vector (all of them when n is 3) take a scalar loop. A·Bᵀ is a dot product per element of C.
/// </remarks>
internal static class GemmKernels
{
    private const int Rows = 4;

    public static void Run<T>(
        ReadOnlySpan<T> aSpan, int aRowStride, int aColStride, ReadOnlySpan<T> bSpan, Span<T> cSpan,
        int m, int k, int n, ReadOnlySpan<T> biasSpan, Epilogue epilogue, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        ref T a = ref MemoryMarshal.GetReference(aSpan);
        ref T b = ref MemoryMarshal.GetReference(bSpan);
        ref T c = ref MemoryMarshal.GetReference(cSpan);
        ref T bias = ref MemoryMarshal.GetReference(biasSpan);
        var hasBias = !biasSpan.IsEmpty;
        var relu = epilogue == Epilogue.Relu;
        var width = Vector.IsHardwareAccelerated ? Vector<T>.Count : n + 1;
        var j = 0;
        for (; j + width <= n; j += width)
        {
            var i = 0;
            for (; i + Rows <= m; i += Rows)
            {
                Tile4(ref a, aRowStride, aColStride, ref b, ref c, i, j, k, n, ref bias, hasBias, relu, accumulate);
            }

            for (; i < m; i++)
            {
                Tile1(ref a, aRowStride, aColStride, ref b, ref c, i, j, k, n, ref bias, hasBias, relu, accumulate);
            }
        }

        for (; j < n; j++)
        {
            for (var i = 0; i < m; i++)
            {
                var sum = accumulate ? Unsafe.Add(ref c, (i * n) + j) : T.Zero;
                for (var p = 0; p < k; p++)
                {
                    sum += Unsafe.Add(ref a, (i * aRowStride) + (p * aColStride)) * Unsafe.Add(ref b, (p * n) + j);
                }

                Unsafe.Add(ref c, (i * n) + j) = Finish(sum, hasBias ? Unsafe.Add(ref bias, j) : T.Zero, relu);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4<T>(
        ref T a, int rs, int cs, ref T b, ref T c, int i, int j, int k, int n, ref T bias, bool hasBias, bool relu, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T c0 = ref Unsafe.Add(ref c, (i * n) + j);
        ref T c1 = ref Unsafe.Add(ref c0, n);
        ref T c2 = ref Unsafe.Add(ref c1, n);
        ref T c3 = ref Unsafe.Add(ref c2, n);
        Vector<T> acc0, acc1, acc2, acc3;
        if (accumulate)
        {
            acc0 = Vector.LoadUnsafe(ref c0);
            acc1 = Vector.LoadUnsafe(ref c1);
            acc2 = Vector.LoadUnsafe(ref c2);
            acc3 = Vector.LoadUnsafe(ref c3);
        }
        else
        {
            acc0 = acc1 = acc2 = acc3 = Vector<T>.Zero;
        }

        ref T a0 = ref Unsafe.Add(ref a, i * rs);
        ref T a1 = ref Unsafe.Add(ref a0, rs);
        ref T a2 = ref Unsafe.Add(ref a1, rs);
        ref T a3 = ref Unsafe.Add(ref a2, rs);
        for (var p = 0; p < k; p++)
        {
            var bp = Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j));
            var offset = p * cs;
            acc0 += new Vector<T>(Unsafe.Add(ref a0, offset)) * bp;
            acc1 += new Vector<T>(Unsafe.Add(ref a1, offset)) * bp;
            acc2 += new Vector<T>(Unsafe.Add(ref a2, offset)) * bp;
            acc3 += new Vector<T>(Unsafe.Add(ref a3, offset)) * bp;
        }

        var biasVector = hasBias ? Vector.LoadUnsafe(ref Unsafe.Add(ref bias, j)) : Vector<T>.Zero;
        Vector.StoreUnsafe(Finish(acc0, biasVector, relu), ref c0);
        Vector.StoreUnsafe(Finish(acc1, biasVector, relu), ref c1);
        Vector.StoreUnsafe(Finish(acc2, biasVector, relu), ref c2);
        Vector.StoreUnsafe(Finish(acc3, biasVector, relu), ref c3);
    }

    private static void Tile1<T>(
        ref T a, int rs, int cs, ref T b, ref T c, int i, int j, int k, int n, ref T bias, bool hasBias, bool relu, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T c0 = ref Unsafe.Add(ref c, (i * n) + j);
        var acc = accumulate ? Vector.LoadUnsafe(ref c0) : Vector<T>.Zero;
        ref T a0 = ref Unsafe.Add(ref a, i * rs);
        for (var p = 0; p < k; p++)
        {
            acc += new Vector<T>(Unsafe.Add(ref a0, p * cs)) * Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j));
        }

        var biasVector = hasBias ? Vector.LoadUnsafe(ref Unsafe.Add(ref bias, j)) : Vector<T>.Zero;
        Vector.StoreUnsafe(Finish(acc, biasVector, relu), ref c0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Finish<T>(Vector<T> value, Vector<T> bias, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        value += bias;
        return relu ? Vector.Max(value, Vector<T>.Zero) : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Finish<T>(T value, T bias, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        value += bias;
        return relu && !(value > T.Zero) ? T.Zero : value;
    }

    private static T DotVector<T>(ref T x, ref T y, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var acc = Vector<T>.Zero;
        var p = 0;
        for (; p + Vector<T>.Count <= k; p += Vector<T>.Count)
        {
            acc += Vector.LoadUnsafe(ref Unsafe.Add(ref x, p)) * Vector.LoadUnsafe(ref Unsafe.Add(ref y, p));
        }

        return DotScalar(ref x, ref y, p, k, Vector.Sum(acc));
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
}
