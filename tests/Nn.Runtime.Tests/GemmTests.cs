using System;
using System.Collections.Generic;
using System.Numerics;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>The three GEMM forms against <see cref="GemmReference"/>: every square size 0..64, odd shapes, bias, ReLU, accumulate.</summary>
public class GemmTests
{
    public static IEnumerable<object[]> Shapes()
    {
        for (var s = 0; s <= 64; s++)
        {
            yield return new object[] { s, s, s };
        }

        int[] odd = { 1, 2, 3, 5, 7, 17, 31, 33, 100, 129 };
        foreach (var m in odd)
        {
            foreach (var n in odd)
            {
                // (7, 7, 7) and (33, 33, 33) are already among the squares
                if (m != 7 || n != 7)
                {
                    yield return new object[] { m, 7, n };
                }

                if (m != 33 || n != 33)
                {
                    yield return new object[] { m, 33, n };
                }
            }
        }

        yield return new object[] { 300, 2, 100 };
        yield return new object[] { 300, 100, 3 };
        yield return new object[] { 100, 300, 3 };
        yield return new object[] { 2, 300, 100 };
        yield return new object[] { 41, 300, 100 };    // a 4-column tail with k ≥ 256: the 512-bit narrow kernel
        yield return new object[] { 17, 257, 7 };
        yield return new object[] { 3, 0, 5 };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMatchesReference(int m, int k, int n) => CheckAllForms<float>(m, k, n, 1e-5);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMatchesReference(int m, int k, int n) => CheckAllForms<double>(m, k, n, 1e-12);

    [Fact]
    public void ShortSpansThrowWithTheExpectedLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MatMul<float>(new float[5], new float[12], new float[8], m: 2, k: 3, n: 4));
        Assert.Contains("a has 5 elements, expected at least 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMul<float>(new float[6], new float[12], new float[7], m: 2, k: 3, n: 4));
        Assert.Contains("c has 7 elements, expected at least 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMul<float>(new float[6], new float[12], new float[8], m: 2, k: 3, n: 4, bias: new float[3]));
        Assert.Contains("bias has 3 elements, expected 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMulTransposeA<double>(new double[6], new double[11], new double[8], m: 2, k: 3, n: 4));
        Assert.Contains("b has 11 elements, expected at least 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMulTransposeB<double>(new double[6], new double[11], new double[8], m: 2, k: 3, n: 4));
        Assert.Contains("b has 11 elements, expected at least 12", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMul<float>(new float[6], new float[12], new float[8], m: -1, k: 3, n: 4));
    }

    [Fact]
    public void LongerSpansLeaveTheRestAlone()
    {
        var c = new float[10];
        c.AsSpan().Fill(42);
        Gemm.MatMul<float>(new float[] { 1, 2 }, new float[] { 3, 4 }, c, m: 1, k: 2, n: 1);
        Assert.Equal(11f, c[0]);
        Assert.All(c[1..], v => Assert.Equal(42f, v));
    }

    internal static void CheckAllForms<T>(int m, int k, int n, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng((ulong)((m * 10007) + (k * 101) + n));
        var a = Random<T>(m * k, ref rng);
        var b = Random<T>(k * n, ref rng);
        var bias = Random<T>(n, ref rng);
        var start = Random<T>(m * n, ref rng);

        foreach (var epilogue in new[] { Epilogue.None, Epilogue.Relu })
        {
            foreach (var accumulate in new[] { false, true })
            {
                foreach (var withBias in new[] { false, true })
                {
                    var expected = (T[])start.Clone();
                    var actual = (T[])start.Clone();
                    var biasSpan = withBias ? bias : ReadOnlySpan<T>.Empty;
                    GemmReference.MatMul<T>(a, b, expected, m, k, n, biasSpan, epilogue, accumulate);
                    Gemm.MatMul<T>(a, b, actual, m, k, n, biasSpan, epilogue, accumulate);
                    AssertClose(expected, actual, k, tolerance, $"A·B {m}×{k}×{n} {epilogue} accumulate={accumulate} bias={withBias}");
                }
            }
        }

        // Aᵀ·B: A stored [k×m].  A·Bᵀ: B stored [n×k]. Same element counts as above.
        foreach (var accumulate in new[] { false, true })
        {
            var expected = (T[])start.Clone();
            var actual = (T[])start.Clone();
            GemmReference.MatMulTransposeA<T>(a, b, expected, m, k, n, accumulate);
            Gemm.MatMulTransposeA<T>(a, b, actual, m, k, n, accumulate);
            AssertClose(expected, actual, k, tolerance, $"Aᵀ·B {m}×{k}×{n} accumulate={accumulate}");

            expected = (T[])start.Clone();
            actual = (T[])start.Clone();
            GemmReference.MatMulTransposeB<T>(a, b, expected, m, k, n, accumulate);
            Gemm.MatMulTransposeB<T>(a, b, actual, m, k, n, accumulate);
            AssertClose(expected, actual, k, tolerance, $"A·Bᵀ {m}×{k}×{n} accumulate={accumulate}");
        }
    }

    internal static T[] Random<T>(int length, ref Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = T.CreateChecked(rng.NextGaussian());
        }

        return values;
    }

    // Sums of k products of N(0,1) values: the rounding error grows like √k, so the bar scales with it.
    private static void AssertClose<T>(T[] expected, T[] actual, int k, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bar = tolerance * Math.Max(1, Math.Sqrt(k)) * 4;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = double.CreateChecked(expected[i]);
            var a = double.CreateChecked(actual[i]);
            Assert.True(Math.Abs(e - a) <= bar * Math.Max(1, Math.Abs(e)), $"{what}: element {i} is {a}, expected {e}");
        }
    }
}
