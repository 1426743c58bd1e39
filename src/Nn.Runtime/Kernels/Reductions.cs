using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>Reductions over the rows of a row-major matrix.</summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Reductions
{
    /// <summary>
    /// Effectively computes <c>sum[j] (+)= Σ_i x[i·cols + j]</c>: the bias gradient <c>db = Σ_rows dout</c>.
    /// </summary>
    /// <exception cref="ArgumentException">x is shorter than rows·cols or sum is not cols long.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        // Four vectors of columns at a time stay in registers down all the rows, then the leftover columns: one
        // TensorPrimitives.Add per row cost 0.6 µs of a 2-100-3 training step (64 rows of 100). Each column is still
        // summed top to bottom, so the result is the same to the bit.
        var lanes = Vector<T>.Count;
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j + (4 * lanes) <= cols; j += 4 * lanes)
            {
                var s0 = new Vector<T>(sum.Slice(j));
                var s1 = new Vector<T>(sum.Slice(j + lanes));
                var s2 = new Vector<T>(sum.Slice(j + (2 * lanes)));
                var s3 = new Vector<T>(sum.Slice(j + (3 * lanes)));
                for (var i = 0; i < rows; i++)
                {
                    var row = x.Slice((i * cols) + j);
                    s0 += new Vector<T>(row);
                    s1 += new Vector<T>(row.Slice(lanes));
                    s2 += new Vector<T>(row.Slice(2 * lanes));
                    s3 += new Vector<T>(row.Slice(3 * lanes));
                }

                s0.CopyTo(sum.Slice(j));
                s1.CopyTo(sum.Slice(j + lanes));
                s2.CopyTo(sum.Slice(j + (2 * lanes)));
                s3.CopyTo(sum.Slice(j + (3 * lanes)));
            }

            for (; j + lanes <= cols; j += lanes)
            {
                var s0 = new Vector<T>(sum.Slice(j));
                for (var i = 0; i < rows; i++)
                {
                    s0 += new Vector<T>(x.Slice((i * cols) + j));
                }

                s0.CopyTo(sum.Slice(j));
            }
        }

        for (; j < cols; j++)
        {
            var s = sum[j];
            for (var i = 0; i < rows; i++)
            {
                s += x[(i * cols) + j];
            }

            sum[j] = s;
        }
    }

    /// <summary>The column index of each row's largest value (the first one on ties).</summary>
    /// <exception cref="ArgumentException">x is shorter than rows·cols or indices than rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMaxRows<T>(ReadOnlySpan<T> x, Span<int> indices, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Dimensions(rows, 1, cols);
        ThrowHelper.AtLeast(x.Length, (long)rows * cols, nameof(x), "rows·cols");
        ThrowHelper.AtLeast(indices.Length, rows, nameof(indices), "rows");
        for (var i = 0; i < rows; i++)
        {
            indices[i] = Elementwise.IndexOfMax(x.Slice(i * cols, cols));
        }
    }
}
