using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// Products as dot products along k: few rows of A·Bᵀ (both operands contiguous along k). The per-thread panel
/// buffer here also holds GemmKernels.Narrow.cs's transposed B.
/// </summary>
internal static partial class GemmKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows<T>(ReadOnlySpan<T> aSpan, ReadOnlySpan<T> bSpan, Span<T> cSpan, int m, int k, int n, bool accumulate)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T DotScalar<T>(ref T x, ref T y, int from, int k, T sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var p = from; p < k; p++)
        {
            sum += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        }

        return sum;
    }

    /// <summary>This thread's packing buffer: allocated once, then reused, so a product allocates nothing.</summary>
    private static class Panel<T>
    {
        [ThreadStatic]
        private static T[]? t_buffer;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
}
