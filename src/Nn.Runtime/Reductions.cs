using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nn;

/// <summary>Reductions over the rows of a row-major matrix.</summary>
public static class Reductions
{
    /// <summary>
    /// Effectively computes <c>sum[j] (+)= Σ_i x[i·cols + j]</c>: the bias gradient <c>db = Σ_rows dout</c>.
    /// </summary>
    /// <exception cref="ArgumentException">x is shorter than rows·cols or sum is not cols long.</exception>
    public static void SumRows<T>(ReadOnlySpan<T> x, Span<T> sum, int rows, int cols, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Dimensions(rows, 1, cols);
        ThrowHelper.AtLeast(x.Length, (long)rows * cols, nameof(x), "rows·cols");
        ThrowHelper.Exactly(sum.Length, cols, nameof(sum), "cols");
        if (!accumulate)
        {
            sum.Clear();
        }

        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(sum, x.Slice(i * cols, cols), sum);
        }
    }

    /// <summary>The column index of each row's largest value (the first one on ties).</summary>
    /// <exception cref="ArgumentException">x is shorter than rows·cols or indices than rows.</exception>
    public static void ArgMaxRows<T>(ReadOnlySpan<T> x, Span<int> indices, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Dimensions(rows, 1, cols);
        ThrowHelper.AtLeast(x.Length, (long)rows * cols, nameof(x), "rows·cols");
        ThrowHelper.AtLeast(indices.Length, rows, nameof(indices), "rows");
        for (var i = 0; i < rows; i++)
        {
            indices[i] = TensorPrimitives.IndexOfMax(x.Slice(i * cols, cols));
        }
    }
}
