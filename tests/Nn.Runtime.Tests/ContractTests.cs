using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>
/// The parts of the kernel contracts the other test classes leave out: double precision, every row width
/// 0..256 for the row-wise kernels, GEMM shapes that cross a k block, too-short spans, and Rng pinned to
/// the published xoshiro256** / SplitMix64 algorithms.
/// </summary>
public class ContractTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 257).Select(n => new object[] { n });

    // k > the kernel's k block (256): the partial sums go through C between blocks, and the bias and ReLU must be
    // applied once, on the last block. Also empty m or n with k > 0. (GemmBlockingTests crosses every other block.)
    [Theory]
    [InlineData(9, 600, 40)]
    [InlineData(64, 513, 64)]
    [InlineData(5, 257, 17)]
    [InlineData(0, 5, 3)]
    [InlineData(4, 5, 0)]
    public void GemmAcrossKBlocksMatchesReference(int m, int k, int n)
    {
        CheckMatMul<float>(m, k, n, 1e-5);
        CheckMatMul<double>(m, k, n, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReluInDouble(int length)
    {
        var x = Gaussian<double>(length, (ulong)length + 7);
        var dout = Gaussian<double>(length, (ulong)length + 8);
        var h = new double[length];
        Activations.ReluForward<double>(x, h);
        Assert.Equal(x.Select(v => Math.Max(0, v)), h);

        var dh = (double[])dout.Clone();
        Activations.ReluBackward<double>(h, dh);
        Assert.Equal(dout.Select((d, i) => h[i] > 0 ? d : 0), dh);
    }

    // Each length is a row width: softmax, cross-entropy and argmax over rows of 1..256 classes, in place too.
    [Theory]
    [MemberData(nameof(Lengths))]
    public void RowWiseKernelsMatchLoops(int classes)
    {
        if (classes == 0)
        {
            Losses.SoftmaxProbabilities<float>(Array.Empty<float>(), Array.Empty<float>(), batch: 2, classes: 0);   // nothing to do, no throw
            return;
        }

        const int Batch = 3;
        var scores = Gaussian<double>(Batch * classes, (ulong)classes + 500);
        scores.AsSpan().Slice(0, classes).Fill(2.5);    // a row of ties: argmax is the first
        var labels = Enumerable.Range(0, Batch).Select(i => (i * 7) % classes).ToArray();

        var probs = new double[scores.Length];
        Losses.SoftmaxProbabilities<double>(scores, probs, Batch, classes);
        var d = new double[scores.Length];
        var loss = Losses.SoftmaxCrossEntropy<double>(scores, labels, d, Batch, classes);
        var indices = new int[Batch];
        Reductions.ArgMaxRows<double>(scores, indices, Batch, classes);

        var expectedLoss = 0.0;
        for (var i = 0; i < Batch; i++)
        {
            var row = scores.AsSpan(i * classes, classes);
            var max = double.NegativeInfinity;
            var argmax = -1;
            for (var j = 0; j < classes; j++)
            {
                (max, argmax) = row[j] > max ? (row[j], j) : (max, argmax);
            }

            var sum = 0.0;
            foreach (var v in row)
            {
                sum += Math.Exp(v - max);
            }

            for (var j = 0; j < classes; j++)
            {
                var p = Math.Exp(row[j] - max) / sum;
                Assert.Equal(p, probs[(i * classes) + j], 1e-12);
                Assert.Equal((p - (j == labels[i] ? 1 : 0)) / Batch, d[(i * classes) + j], 1e-12);
            }

            expectedLoss -= Math.Log(Math.Exp(row[labels[i]] - max) / sum) / Batch;
            Assert.Equal(argmax, indices[i]);
        }

        Assert.Equal(expectedLoss, loss, 1e-12);
        Assert.Equal(0, indices[0]);

        // in place, float
        var single = scores.Select(v => (float)v).ToArray();
        var expected = new float[single.Length];
        Losses.SoftmaxProbabilities<float>(single, expected, Batch, classes);
        Losses.SoftmaxProbabilities<float>(single, single, Batch, classes);
        Assert.Equal(expected, single);
    }

    [Fact]
    public void HugeDoubleLogitsStayFinite()
    {
        // row 0: −log p[2] = 2e30; row 1: −log p[1] = 2e300 + log 2; the mean is 1e300 + 1e30 + ½log 2.
        var scores = new[] { 1e30, 0, -1e30, 1e300, -1e300, 1e300 };
        var d = new double[6];
        var loss = Losses.SoftmaxCrossEntropy<double>(scores, new[] { 2, 1 }, d, batch: 2, classes: 3);
        Assert.True(double.IsFinite(loss));
        Assert.Equal(1.0, loss / 1e300, 1e-12);
        Assert.Equal(2e30, Losses.SoftmaxCrossEntropy<double>(scores, new[] { 2 }, new double[3], batch: 1, classes: 3), 1e18);
        Assert.Equal(new[] { 0.5, 0, -0.5, 0.25, -0.5, 0.25 }, d);
    }

    [Fact]
    public void SumRowsAccumulates()
    {
        var x = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        var sum = new[] { 10f, 20f, 30f };
        Reductions.SumRows<float>(x, sum, rows: 2, cols: 3, accumulate: true);
        Assert.Equal(new[] { 15f, 27f, 39f }, sum);
        Reductions.SumRows<float>(x, sum, rows: 0, cols: 3);
        Assert.Equal(new[] { 0f, 0f, 0f }, sum);
    }

    [Fact]
    public void ShortSpansThrowNamingTheExpectedLength()
    {
        AssertMessage(() => Activations.ReluForward<float>(new float[5], new float[4]), "y has 4 elements, expected at least 5");
        AssertMessage(() => Activations.ReluBackward<float>(new float[5], new float[4]), "dh has 4 elements, expected 5");
        AssertMessage(() => Losses.SoftmaxProbabilities<float>(new float[6], new float[5], batch: 2, classes: 3), "probs has 5 elements, expected at least 6");
        AssertMessage(() => Losses.SoftmaxProbabilities<float>(new float[5], new float[6], batch: 2, classes: 3), "scores has 5 elements, expected at least 6");
        AssertMessage(() => Losses.SoftmaxCrossEntropy<float>(new float[6], new[] { 0 }, new float[6], batch: 2, classes: 3), "labels has 1 elements, expected at least 2");
        AssertMessage(() => Losses.SoftmaxCrossEntropy<float>(new float[6], new[] { 0, 0 }, new float[4], batch: 2, classes: 3), "dscores has 4 elements, expected at least 6");
        AssertMessage(() => Reductions.SumRows<float>(new float[6], new float[2], rows: 2, cols: 3), "sum has 2 elements, expected 3");
        AssertMessage(() => Reductions.ArgMaxRows<float>(new float[6], new int[1], rows: 2, cols: 3), "indices has 1 elements, expected at least 2");
        AssertMessage(() => ParameterUpdates.Sgd<double>(new double[3], new double[2], 0.1), "gradients has 2 elements, expected 3");
        AssertMessage(() => Regularization.L2Backward<double>(new double[3], new double[4], 0.1), "dw has 4 elements, expected 3");
        AssertMessage(() => Gemm.MatMulTransposeA<float>(new float[5], new float[12], new float[8], m: 2, k: 3, n: 4), "a has 5 elements, expected at least 6");
    }

    // Reference values from an independent implementation of the published algorithms (Blackman and Vigna's
    // xoshiro256**, state words from SplitMix64): if these change, every seeded network changes with them.
    [Fact]
    public void RngFollowsXoshiro256StarStar()
    {
        var rng = new Rng(0);
        Assert.Equal(0x99ec5f36cb75f2b4UL, rng.NextUInt64());
        Assert.Equal(0xbf6e1f784956452aUL, rng.NextUInt64());
        Assert.Equal(0x1a5f849d4933e6e0UL, rng.NextUInt64());

        rng = new Rng(42);
        Assert.Equal(0x15780b2e0c2ec716UL, rng.NextUInt64());
        Assert.Equal((0x6104d9866d113a7eUL >> 11) / (double)(1UL << 53), rng.NextDouble());
        Assert.Equal((int)(((0xae17533239e499a1UL >> 32) * 10) >> 32), rng.NextInt(10));
    }

    [Fact]
    public void GaussianInitializerIsScaledRngGaussians()
    {
        var w = new float[101];
        var rng = new Rng(9);
        Initializers.Gaussian<float>(w, 0.01f, ref rng);
        var check = new Rng(9);
        Assert.Equal(Enumerable.Range(0, 101).Select(_ => 0.01f * (float)check.NextGaussian()), w);
        Assert.Equal(check.NextUInt64(), rng.NextUInt64());   // ref: the caller's generator advanced
    }

    [Fact]
    public void MaxRelativeErrorIsZeroWhenBothAreZero()
    {
        Assert.Equal(0, GradientCheck.MaxRelativeError(new double[] { 0, 1 }, new double[] { 0, 1 }));
        Assert.Equal(Math.Abs(1 - 1.001) / 2.001, GradientCheck.MaxRelativeError(new[] { 1.0 }, new[] { 1.001 }), 1e-15);
    }

    private static void CheckMatMul<T>(int m, int k, int n, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Gaussian<T>(m * k, 1);
        var b = Gaussian<T>(k * n, 2);
        var bias = Gaussian<T>(n, 3);
        var start = Gaussian<T>(m * n, 4);
        foreach (var accumulate in new[] { false, true })
        {
            var expected = (T[])start.Clone();
            var actual = (T[])start.Clone();
            GemmReference.MatMul<T>(a, b, expected, m, k, n, bias, Epilogue.Relu, accumulate);
            Gemm.MatMul<T>(a, b, actual, m, k, n, bias, Epilogue.Relu, accumulate);
            AssertClose(expected, actual, k, tolerance);

            expected = (T[])start.Clone();
            actual = (T[])start.Clone();
            GemmReference.MatMulTransposeA<T>(a, b, expected, m, k, n, accumulate);
            Gemm.MatMulTransposeA<T>(a, b, actual, m, k, n, accumulate);
            AssertClose(expected, actual, k, tolerance);

            expected = (T[])start.Clone();
            actual = (T[])start.Clone();
            GemmReference.MatMulTransposeB<T>(a, b, expected, m, k, n, accumulate);
            Gemm.MatMulTransposeB<T>(a, b, actual, m, k, n, accumulate);
            AssertClose(expected, actual, k, tolerance);
        }
    }

    private static void AssertClose<T>(T[] expected, T[] actual, int k, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bar = tolerance * Math.Max(1, Math.Sqrt(k)) * 4;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = double.CreateChecked(expected[i]);
            Assert.True(Math.Abs(e - double.CreateChecked(actual[i])) <= bar * Math.Max(1, Math.Abs(e)), $"element {i}: {actual[i]}, expected {e}");
        }
    }

    internal static T[] Gaussian<T>(int length, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        var values = new T[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = T.CreateChecked(rng.NextGaussian());
        }

        return values;
    }

    internal static void AssertMessage(Action call, string expected) =>
        Assert.Contains(expected, Assert.ThrowsAny<ArgumentException>(call).Message);
}
