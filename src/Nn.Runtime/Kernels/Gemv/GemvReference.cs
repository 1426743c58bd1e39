using System;
using System.Numerics;

namespace Nn.Kernels;

/// <summary>
/// A plain double loop with the same contract as <see cref="Gemv"/>: the algorithmic reference its kernels are
/// tested against. Not for use in generated code.
/// </summary>
internal static class GemvReference
{
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue = Epilogue.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < n; j++)
        {
            var sum = bias.IsEmpty ? T.Zero : bias[j];
            for (var p = 0; p < k; p++)
            {
                sum += x[p] * w[(p * n) + j];
            }

            y[j] = epilogue == Epilogue.Relu ? T.Max(sum, T.Zero) : sum;
        }
    }
}
