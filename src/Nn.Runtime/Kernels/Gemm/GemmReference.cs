using System;
using System.Numerics;

namespace Nn.Kernels;

/// <summary>
/// Plain triple loops with the same contracts as <see cref="Gemm"/>: the algorithmic reference the
/// fast kernels are tested against. Not for use in generated code.
/// </summary>
internal static class GemmReference
{
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, ReadOnlySpan<T> bias = default, Epilogue epilogue = Epilogue.None, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[(i * n) + j] : T.Zero;
                for (var p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * b[(p * n) + j];
                }

                sum += bias.IsEmpty ? T.Zero : bias[j];
                c[(i * n) + j] = epilogue == Epilogue.Relu ? T.Max(sum, T.Zero) : sum;
            }
        }
    }

    public static void MatMulTransposeA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[(i * n) + j] : T.Zero;
                for (var p = 0; p < k; p++)
                {
                    sum += a[(p * m) + i] * b[(p * n) + j];
                }

                c[(i * n) + j] = sum;
            }
        }
    }

    public static void MatMulTransposeB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[(i * n) + j] : T.Zero;
                for (var p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * b[(j * k) + p];
                }

                c[(i * n) + j] = sum;
            }
        }
    }
}
