using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Nn.Kernels;
using Xunit.Abstractions;
using static Nn.Runtime.Tests.ContractTests;

namespace Nn.Runtime.Tests;

/// <summary>
/// BatchNormKernels against BatchNormReference (every width 0..70 for 1..9 rows, and wide batches), CS231n's numeric
/// gradient check of the backward pass, the running statistics, in-place calls, short spans and allocations.
/// </summary>
public class BatchNormKernelTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Shapes() =>
        Enumerable.Range(1, 9).SelectMany(rows => Enumerable.Range(0, 71).Select(cols => new object[] { rows, cols }))
            .Concat(new[] { new object[] { 64, 100 }, new object[] { 64, 257 }, new object[] { 3, 600 }, new object[] { 200, 9 } });

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastMatchesReference(int rows, int cols)
    {
        CheckAgainstReference<float>(rows, cols, 2e-5);
        CheckAgainstReference<double>(rows, cols, 1e-13);
    }

    // L = Σ dy·y(x, γ, β); x is 5·N(0, 1) + 12 as in CS231n's notebook, so a wrong variance would show.
    [Theory]
    [InlineData(4, 5)]
    [InlineData(7, 3)]
    [InlineData(2, 6)]
    [InlineData(1, 4)]
    public void BackwardPassesTheNumericGradientCheck(int rows, int cols)
    {
        var p = Problem<double>(rows, cols, seed: 40 + (ulong)(rows * cols));
        var (dx, dgamma, dbeta) = Analytic(p);

        var numericX = new double[rows * cols];
        GradientCheck.Numeric(p.X, () => LossOf(p), numericX);
        var numericGamma = new double[cols];
        GradientCheck.Numeric(p.Gamma, () => LossOf(p), numericGamma);
        var numericBeta = new double[cols];
        GradientCheck.Numeric(p.Beta, () => LossOf(p), numericBeta);

        output.WriteLine($"relative errors: dx {RelativeError(dx, numericX):E2}, dgamma {RelativeError(dgamma, numericGamma):E2}, " +
            $"dbeta {RelativeError(dbeta, numericBeta):E2}; CS231n's floor of 1e-8 on dx: {GradientCheck.MaxRelativeError(dx, numericX, 1e-8):E2}");
        Assert.True(RelativeError(dx, numericX) < 1e-7, $"dx: {RelativeError(dx, numericX)}");
        Assert.True(RelativeError(dgamma, numericGamma) < 1e-7, $"dgamma: {RelativeError(dgamma, numericGamma)}");
        Assert.True(RelativeError(dbeta, numericBeta) < 1e-7, $"dbeta: {RelativeError(dbeta, numericBeta)}");
        if (rows == 1)
        {
            Assert.All(dx, v => Assert.Equal(0, v));   // y = β whatever x is
        }
    }

    // The float kernels against centered differences of the float forward pass (h = 1e-2, L summed in double).
    [Fact]
    public void FloatBackwardPassesALooserGradientCheck()
    {
        const int Rows = 6;
        const int Cols = 5;
        const float H = 1e-2f;
        var p = Problem<float>(Rows, Cols, seed: 77);
        var (dx, dgamma, dbeta) = Analytic(p);
        foreach (var (values, analytic, name) in new[] { (p.X, dx, "dx"), (p.Gamma, dgamma, "dgamma"), (p.Beta, dbeta, "dbeta") })
        {
            var numeric = new double[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var saved = values[i];
                values[i] = saved + H;
                var plus = LossOf(p);
                values[i] = saved - H;
                var minus = LossOf(p);
                values[i] = saved;
                numeric[i] = (plus - minus) / (2 * H);
            }

            var error = GradientCheck.MaxRelativeError(analytic.Select(v => (double)v).ToArray(), numeric);
            output.WriteLine($"{name}: {error:E2}");
            Assert.True(error < 1e-2, $"{name}: {error}");
        }
    }

    [Fact]
    public void RunningStatisticsFollowTheFormulaAndInferenceUsesThem()
    {
        const int Rows = 8;
        const int Cols = 11;
        const double Momentum = 0.9;
        const double Epsilon = 1e-5;
        var x1 = Gaussian<double>(Rows * Cols, 1).Select(v => (3 * v) + 2).ToArray();
        var x2 = Gaussian<double>(Rows * Cols, 2).Select(v => v - 1).ToArray();
        var gamma = Gaussian<double>(Cols, 3);
        var beta = Gaussian<double>(Cols, 4);
        var runningMean = Gaussian<double>(Cols, 5);
        var runningVar = Gaussian<double>(Cols, 6).Select(v => 1 + (v * v)).ToArray();
        var expectedMean = (double[])runningMean.Clone();
        var expectedVar = (double[])runningVar.Clone();

        foreach (var x in new[] { x1, x2 })
        {
            BatchNormKernels.ForwardTraining<double>(
                x, gamma, beta, new double[Rows * Cols], new double[Rows * Cols], new double[Cols], new double[Cols],
                runningMean, runningVar, Rows, Cols, Momentum, Epsilon);
            for (var j = 0; j < Cols; j++)
            {
                var column = Enumerable.Range(0, Rows).Select(i => x[(i * Cols) + j]).ToArray();
                var mean = column.Average();
                var biasedVariance = column.Select(v => (v - mean) * (v - mean)).Sum() / Rows;
                expectedMean[j] = (Momentum * expectedMean[j]) + ((1 - Momentum) * mean);
                expectedVar[j] = (Momentum * expectedVar[j]) + ((1 - Momentum) * biasedVariance);
            }
        }

        AssertClose(expectedMean, runningMean, 1e-14);
        AssertClose(expectedVar, runningVar, 1e-14);

        var y = new double[Rows * Cols];
        BatchNormKernels.ForwardInference<double>(x1, gamma, beta, runningMean, runningVar, y, Rows, Cols, Epsilon);
        var expectedY = x1.Select((v, k) => (gamma[k % Cols] * (v - expectedMean[k % Cols]) / Math.Sqrt(expectedVar[k % Cols] + Epsilon))
            + beta[k % Cols]).ToArray();
        AssertClose(expectedY, y, 1e-13);
    }

    [Theory]
    [InlineData(5, 7)]
    [InlineData(64, 100)]
    [InlineData(3, 600)]
    public void InPlaceEqualsOutOfPlace(int rows, int cols)
    {
        InPlace<float>(rows, cols);
        InPlace<double>(rows, cols);
    }

    [Fact]
    public void InferenceWithNoRowsDoesNothing()
    {
        var y = new[] { 7f };
        BatchNormKernels.ForwardInference<float>(ReadOnlySpan<float>.Empty, new float[3], new float[3], new float[3], new float[3], y, 0, 3, 1e-5f);
        Assert.Equal(7f, y[0]);
    }

    [Fact]
    public void BadDimensionsThrow()
    {
        var three = new float[3];
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => BatchNormKernels.ForwardTraining<float>(
            ReadOnlySpan<float>.Empty, three, three, Span<float>.Empty, Span<float>.Empty, new float[3], new float[3], new float[3],
            new float[3], 0, 3, 0.9f, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => BatchNormKernels.Backward<float>(
            ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, three, three, Span<float>.Empty, new float[3], new float[3], 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => BatchNormKernels.ForwardInference<float>(
            ReadOnlySpan<float>.Empty, three, three, three, three, Span<float>.Empty, -1, 3, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("cols", () => BatchNormKernels.ForwardInference<float>(
            ReadOnlySpan<float>.Empty, three, three, three, three, Span<float>.Empty, 1, -3, 1e-5f));
    }

    // rows = 2, cols = 3: every span one element short, or a vector one element long, throws naming that span.
    [Fact]
    public void ShortSpansThrowNamingTheParameter()
    {
        float[] M(int length = 6) => new float[length];
        float[] V(int length = 3) => new float[length];
        void Training(float[] x, float[] g, float[] b, float[] y, float[] xh, float[] mu, float[] inv, float[] rm, float[] rv) =>
            BatchNormKernels.ForwardTraining<float>(x, g, b, y, xh, mu, inv, rm, rv, 2, 3, 0.9f, 1e-5f);

        AssertMessage(() => Training(M(5), V(), V(), M(), M(), V(), V(), V(), V()), "x has 5 elements, expected at least 6");
        AssertMessage(() => Training(M(), V(2), V(), M(), M(), V(), V(), V(), V()), "gamma has 2 elements, expected 3");
        AssertMessage(() => Training(M(), V(), V(4), M(), M(), V(), V(), V(), V()), "beta has 4 elements, expected 3");
        AssertMessage(() => Training(M(), V(), V(), M(5), M(), V(), V(), V(), V()), "y has 5 elements, expected at least 6");
        AssertMessage(() => Training(M(), V(), V(), M(), M(5), V(), V(), V(), V()), "xhat has 5 elements, expected at least 6");
        AssertMessage(() => Training(M(), V(), V(), M(), M(), V(2), V(), V(), V()), "batchMean has 2 elements, expected 3");
        AssertMessage(() => Training(M(), V(), V(), M(), M(), V(), V(2), V(), V()), "invStd has 2 elements, expected 3");
        AssertMessage(() => Training(M(), V(), V(), M(), M(), V(), V(), V(2), V()), "runningMean has 2 elements, expected 3");
        AssertMessage(() => Training(M(), V(), V(), M(), M(), V(), V(), V(), V(2)), "runningVar has 2 elements, expected 3");

        void Inference(float[] x, float[] g, float[] b, float[] rm, float[] rv, float[] y) =>
            BatchNormKernels.ForwardInference<float>(x, g, b, rm, rv, y, 2, 3, 1e-5f);

        AssertMessage(() => Inference(M(5), V(), V(), V(), V(), M()), "x has 5 elements, expected at least 6");
        AssertMessage(() => Inference(M(), V(2), V(), V(), V(), M()), "gamma has 2 elements, expected 3");
        AssertMessage(() => Inference(M(), V(), V(2), V(), V(), M()), "beta has 2 elements, expected 3");
        AssertMessage(() => Inference(M(), V(), V(), V(2), V(), M()), "runningMean has 2 elements, expected 3");
        AssertMessage(() => Inference(M(), V(), V(), V(), V(2), M()), "runningVar has 2 elements, expected 3");
        AssertMessage(() => Inference(M(), V(), V(), V(), V(), M(5)), "y has 5 elements, expected at least 6");

        void Backward(float[] dy, float[] xh, float[] g, float[] inv, float[] dx, float[] dg, float[] db) =>
            BatchNormKernels.Backward<float>(dy, xh, g, inv, dx, dg, db, 2, 3);

        AssertMessage(() => Backward(M(5), M(), V(), V(), M(), V(), V()), "dy has 5 elements, expected at least 6");
        AssertMessage(() => Backward(M(), M(5), V(), V(), M(), V(), V()), "xhat has 5 elements, expected at least 6");
        AssertMessage(() => Backward(M(), M(), V(2), V(), M(), V(), V()), "gamma has 2 elements, expected 3");
        AssertMessage(() => Backward(M(), M(), V(), V(2), M(), V(), V()), "invStd has 2 elements, expected 3");
        AssertMessage(() => Backward(M(), M(), V(), V(), M(5), V(), V()), "dx has 5 elements, expected at least 6");
        AssertMessage(() => Backward(M(), M(), V(), V(), M(), V(2), V()), "dgamma has 2 elements, expected 3");
        AssertMessage(() => Backward(M(), M(), V(), V(), M(), V(), V(2)), "dbeta has 2 elements, expected 3");
        Assert.Equal("dbeta", Assert.Throws<ArgumentException>(() => Backward(M(), M(), V(), V(), M(), V(), V(2))).ParamName);
    }

    // 300 columns take two stack chunks (256 + 44).
    [Theory]
    [InlineData(16, 100)]
    [InlineData(4, 300)]
    public void AllocatesNothingAfterTheFirstCall(int rows, int cols)
    {
        Assert.Equal(0, AllocatedBytes<float>(rows, cols));
        Assert.Equal(0, AllocatedBytes<double>(rows, cols));
    }

    private static long AllocatedBytes<T>(int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = Problem<T>(rows, cols, seed: 5);
        var y = new T[rows * cols];
        var xhat = new T[rows * cols];
        var mean = new T[cols];
        var invStd = new T[cols];
        var dx = new T[rows * cols];
        var dgamma = new T[cols];
        var dbeta = new T[cols];
        var momentum = T.CreateChecked(0.9);
        var epsilon = T.CreateChecked(1e-5);

        void Work()
        {
            BatchNormKernels.ForwardTraining<T>(
                p.X, p.Gamma, p.Beta, y, xhat, mean, invStd, p.RunningMean, p.RunningVar, rows, cols, momentum, epsilon);
            BatchNormKernels.Backward<T>(p.Dy, xhat, p.Gamma, invStd, dx, dgamma, dbeta, rows, cols);
            BatchNormKernels.ForwardInference<T>(p.X, p.Gamma, p.Beta, p.RunningMean, p.RunningVar, y, rows, cols, epsilon);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            Work();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void CheckAgainstReference<T>(int rows, int cols, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = Problem<T>(rows, cols, seed: (ulong)((rows * 1000) + cols));
        var momentum = T.CreateChecked(0.9);
        var epsilon = T.CreateChecked(1e-5);
        var fast = new Outputs<T>(rows, cols, p);
        var slow = new Outputs<T>(rows, cols, p);
        BatchNormKernels.ForwardTraining<T>(
            p.X, p.Gamma, p.Beta, fast.Y, fast.Xhat, fast.Mean, fast.InvStd, fast.RunningMean, fast.RunningVar, rows, cols, momentum, epsilon);
        BatchNormReference.ForwardTraining<T>(
            p.X, p.Gamma, p.Beta, slow.Y, slow.Xhat, slow.Mean, slow.InvStd, slow.RunningMean, slow.RunningVar, rows, cols, momentum, epsilon);
        AssertClose(slow.Mean, fast.Mean, tolerance);
        AssertClose(slow.InvStd, fast.InvStd, tolerance, scale: slow.InvStd);
        AssertClose(slow.Xhat, fast.Xhat, tolerance);
        AssertClose(slow.Y, fast.Y, tolerance);
        AssertClose(slow.RunningMean, fast.RunningMean, tolerance);
        AssertClose(slow.RunningVar, fast.RunningVar, tolerance);

        // Backward from the same cached values, so only the backward arithmetic differs.
        BatchNormKernels.Backward<T>(p.Dy, slow.Xhat, p.Gamma, slow.InvStd, fast.Dx, fast.Dgamma, fast.Dbeta, rows, cols);
        BatchNormReference.Backward<T>(p.Dy, slow.Xhat, p.Gamma, slow.InvStd, slow.Dx, slow.Dgamma, slow.Dbeta, rows, cols);
        AssertClose(slow.Dbeta, fast.Dbeta, tolerance * Math.Sqrt(rows));
        AssertClose(slow.Dgamma, fast.Dgamma, tolerance * Math.Sqrt(rows));
        AssertCloseScaled(slow.Dx, fast.Dx, tolerance * Math.Sqrt(rows), Repeat(slow.InvStd, rows));

        BatchNormKernels.ForwardInference<T>(p.X, p.Gamma, p.Beta, p.RunningMean, p.RunningVar, fast.Y, rows, cols, epsilon);
        BatchNormReference.ForwardInference<T>(p.X, p.Gamma, p.Beta, p.RunningMean, p.RunningVar, slow.Y, rows, cols, epsilon);
        AssertClose(slow.Y, fast.Y, tolerance);
    }

    private static void InPlace<T>(int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = Problem<T>(rows, cols, seed: 11);
        var momentum = T.CreateChecked(0.9);
        var epsilon = T.CreateChecked(1e-5);
        var apart = new Outputs<T>(rows, cols, p);
        var together = new Outputs<T>(rows, cols, p);
        BatchNormKernels.ForwardTraining<T>(
            p.X, p.Gamma, p.Beta, apart.Y, apart.Xhat, apart.Mean, apart.InvStd, apart.RunningMean, apart.RunningVar, rows, cols, momentum, epsilon);
        var y = (T[])p.X.Clone();
        BatchNormKernels.ForwardTraining<T>(
            y, p.Gamma, p.Beta, y, together.Xhat, together.Mean, together.InvStd, together.RunningMean, together.RunningVar,
            rows, cols, momentum, epsilon);
        Assert.Equal(apart.Y, y);
        Assert.Equal(apart.Xhat, together.Xhat);
        Assert.Equal(apart.InvStd, together.InvStd);
        Assert.Equal(apart.RunningVar, together.RunningVar);

        BatchNormKernels.Backward<T>(p.Dy, apart.Xhat, p.Gamma, apart.InvStd, apart.Dx, apart.Dgamma, apart.Dbeta, rows, cols);
        var dx = (T[])p.Dy.Clone();
        BatchNormKernels.Backward<T>(dx, apart.Xhat, p.Gamma, apart.InvStd, dx, together.Dgamma, together.Dbeta, rows, cols);
        Assert.Equal(apart.Dx, dx);
        Assert.Equal(apart.Dgamma, together.Dgamma);
        Assert.Equal(apart.Dbeta, together.Dbeta);

        BatchNormKernels.ForwardInference<T>(p.X, p.Gamma, p.Beta, p.RunningMean, p.RunningVar, apart.Y, rows, cols, epsilon);
        y = (T[])p.X.Clone();
        BatchNormKernels.ForwardInference<T>(y, p.Gamma, p.Beta, p.RunningMean, p.RunningVar, y, rows, cols, epsilon);
        Assert.Equal(apart.Y, y);
    }

    private static (T[] Dx, T[] Dgamma, T[] Dbeta) Analytic<T>(Inputs<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = new Outputs<T>(p.Rows, p.Cols, p);
        BatchNormKernels.ForwardTraining<T>(
            p.X, p.Gamma, p.Beta, o.Y, o.Xhat, o.Mean, o.InvStd, o.RunningMean, o.RunningVar,
            p.Rows, p.Cols, T.CreateChecked(0.9), T.CreateChecked(1e-5));
        BatchNormKernels.Backward<T>(p.Dy, o.Xhat, p.Gamma, o.InvStd, o.Dx, o.Dgamma, o.Dbeta, p.Rows, p.Cols);
        return (o.Dx, o.Dgamma, o.Dbeta);
    }

    // L = Σ dy·y, summed in double.
    private static double LossOf<T>(Inputs<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = new Outputs<T>(p.Rows, p.Cols, p);
        BatchNormKernels.ForwardTraining<T>(
            p.X, p.Gamma, p.Beta, o.Y, o.Xhat, o.Mean, o.InvStd, o.RunningMean, o.RunningVar,
            p.Rows, p.Cols, T.CreateChecked(0.9), T.CreateChecked(1e-5));
        return o.Y.Select((v, k) => double.CreateChecked(v) * double.CreateChecked(p.Dy[k])).Sum();
    }

    // CS231n's rel_error |a − n| / (|a| + |n|), with GradientCheck's floor of 1e-3 on the denominator as in the other gradient
    // checks: with 2 rows every xhat is ±σ/√(σ² + ε), so dx is of order ε/σ² ≈ 1e-7 and only its absolute error (≈ 1e-11,
    // the numeric gradient's rounding noise) means anything; CS231n's own floor of 1e-8 fails there on that noise (1.7e-3).
    private static double RelativeError(double[] analytic, double[] numeric) => GradientCheck.MaxRelativeError(analytic, numeric);

    private static Inputs<T> Problem<T>(int rows, int cols, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Gaussian<double>(rows * cols, seed).Select(v => T.CreateChecked((5 * v) + 12)).ToArray();
        var gamma = Gaussian<double>(cols, seed + 1).Select(v => T.CreateChecked(1 + (0.5 * v))).ToArray();
        var runningVar = Gaussian<double>(cols, seed + 5).Select(v => T.CreateChecked(1 + (v * v))).ToArray();
        var beta = Gaussian<T>(cols, seed + 2);
        var dy = Gaussian<T>(rows * cols, seed + 3);
        return new Inputs<T>(rows, cols, x, gamma, beta, dy, Gaussian<T>(cols, seed + 4), runningVar);
    }

    private static double[] Repeat<T>(T[] row, int rows)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Enumerable.Range(0, rows).SelectMany(_ => row.Select(double.CreateChecked)).ToArray();

    // |a − e| ≤ tolerance·max(1, |e|, scale): scale is the size of the terms that make up the value (invStd for dx),
    // when it is larger than the value itself.
    private static void AssertClose<T>(T[] expected, T[] actual, double tolerance, T[]? scale = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AssertCloseScaled(expected, actual, tolerance, scale?.Select(double.CreateChecked).ToArray());

    private static void AssertCloseScaled<T>(T[] expected, T[] actual, double tolerance, double[]? scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = double.CreateChecked(expected[i]);
            var bar = tolerance * Math.Max(Math.Max(1, Math.Abs(e)), scale is null ? 0 : Math.Abs(scale[i]));
            Assert.True(Math.Abs(e - double.CreateChecked(actual[i])) <= bar, $"element {i}: {actual[i]}, expected {e}");
        }
    }

    private sealed record Inputs<T>(int Rows, int Cols, T[] X, T[] Gamma, T[] Beta, T[] Dy, T[] RunningMean, T[] RunningVar);

    // Outputs of one forward and backward call; the running statistics start as copies of the inputs'.
    private sealed class Outputs<T>(int rows, int cols, Inputs<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T[] Y { get; } = new T[rows * cols];
        public T[] Xhat { get; } = new T[rows * cols];
        public T[] Mean { get; } = new T[cols];
        public T[] InvStd { get; } = new T[cols];
        public T[] RunningMean { get; } = (T[])p.RunningMean.Clone();
        public T[] RunningVar { get; } = (T[])p.RunningVar.Clone();
        public T[] Dx { get; } = new T[rows * cols];
        public T[] Dgamma { get; } = new T[cols];
        public T[] Dbeta { get; } = new T[cols];
    }
}
