using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Maxout units: the <c>[rows × units·pieces]</c> input is read as consecutive groups of <c>pieces</c>
/// values, and each group becomes one unit, its maximum.
/// </summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MaxoutKernels
{
    /// <summary>Effectively computes <c>h[i,u] = max_p z[i, u·pieces + p]</c>.</summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> z, Span<T> h, int rows, int units, int pieces)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(z.Length, h.Length, rows, units, pieces, nameof(h));
        for (var g = 0; g < rows * units; g++)
        {
            h[g] = TensorPrimitives.Max(z.Slice(g * pieces, pieces));
        }
    }

    /// <summary>
    /// Sends each unit's gradient to the piece that won the forward max (the first, on ties) and zero to the rest:
    /// <c>dz[i, u·pieces + p] = p = argmax ? dh[i,u] : 0</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> dh, Span<T> dz, int rows, int units, int pieces)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(z.Length, dh.Length, rows, units, pieces, nameof(dh));
        ThrowHelper.AtLeast(dz.Length, (long)rows * units * pieces, nameof(dz), "rows·units·pieces");
        for (var g = 0; g < rows * units; g++)
        {
            var group = dz.Slice(g * pieces, pieces);
            var gradient = dh[g];
            group.Clear();
            group[TensorPrimitives.IndexOfMax(z.Slice(g * pieces, pieces))] = gradient;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int zLength, int hLength, int rows, int units, int pieces, string hName)
    {
        ThrowHelper.Dimensions(rows, units, pieces);
        ThrowHelper.AtLeast(zLength, (long)rows * units * pieces, "z", "rows·units·pieces");
        ThrowHelper.AtLeast(hLength, (long)rows * units, hName, "rows·units");
    }
}
