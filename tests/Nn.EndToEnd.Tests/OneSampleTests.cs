using System;
using System.Numerics;
using Nn;

namespace Nn.EndToEnd.Tests;

/// <summary>Double precision through every Gemv kernel shape: 17 outputs (Wide, 3 vectors, masked), 10 (Wide, 2), 5 (Narrow), 3 (Packed).</summary>
[Input(20, Precision = Precision.Double)]
[Affine(17), Tanh]
[Affine(10), LeakyReLU(0.1)]
[Affine(5), ReLU]
[Affine(3), Softmax]
public partial class OneSampleDoubleNet;

/// <summary>Float: 257 outputs (Wide in passes of 8, 8 and 1 vectors), 9 (Narrow), 16 (Wide, one full vector), 1 (Packed).</summary>
[Input(9)]
[Affine(257), ReLU]
[Affine(9)]
[Affine(16), Maxout(4)]
[Affine(1), Logistic]
public partial class OneSampleFloatNet;

/// <summary>
/// The one-sample path (Forward(x, scores), Predict(x), Probabilities(x, p): the Gemv kernels) gives what the batch
/// path (Gemm) gives for the same rows, for every layer kind and head, in float and double, and allocates nothing.
/// </summary>
public class OneSampleTests
{
    private delegate void One<T>(ReadOnlySpan<T> x, Span<T> scores);

    private delegate void Batch<T>(ReadOnlySpan<T> x, Span<T> scores, int batch);

    [Fact]
    public void FloatForwardOfOneSampleEqualsTheBatchRow()
    {
        Same(new LinearNet(1), n => n.Parameters, LinearNet.InputSize, LinearNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new SpiralNet(1), n => n.Parameters, SpiralNet.InputSize, SpiralNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new FigureOneNet(1), n => n.Parameters, FigureOneNet.InputSize, FigureOneNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new FigureTwoNet(1), n => n.Parameters, FigureTwoNet.InputSize, FigureTwoNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new Cifar10Net(1), n => n.Parameters, Cifar10Net.InputSize, Cifar10Net.OutputSize, n => n.Forward, n => n.Forward);
        Same(new WideNet(1), n => n.Parameters, WideNet.InputSize, WideNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new SigmoidSoftmaxNetF(1), n => n.Parameters, SigmoidSoftmaxNetF.InputSize, SigmoidSoftmaxNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new TanhSvmNetF(1), n => n.Parameters, TanhSvmNetF.InputSize, TanhSvmNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new LeakyLogisticNetF(1), n => n.Parameters, LeakyLogisticNetF.InputSize, LeakyLogisticNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new MaxoutBinarySvmNetF(1), n => n.Parameters, MaxoutBinarySvmNetF.InputSize, MaxoutBinarySvmNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new StackedMaxoutHeadNetF(1), n => n.Parameters, StackedMaxoutHeadNetF.InputSize, StackedMaxoutHeadNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new RegressionNetF(1), n => n.Parameters, RegressionNetF.InputSize, RegressionNetF.OutputSize, n => n.Forward, n => n.Forward);
        Same(new FashionTestNet(1), n => n.Parameters, FashionTestNet.InputSize, FashionTestNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new OneSampleFloatNet(1), n => n.Parameters, OneSampleFloatNet.InputSize, OneSampleFloatNet.OutputSize, n => n.Forward, n => n.Forward);
    }

    [Fact]
    public void DoubleForwardOfOneSampleEqualsTheBatchRow()
    {
        Same(new CheckNet(1), n => n.Parameters, CheckNet.InputSize, CheckNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new CheckLinearHiddenNet(1), n => n.Parameters, CheckLinearHiddenNet.InputSize, CheckLinearHiddenNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new SigmoidSoftmaxNet(1), n => n.Parameters, SigmoidSoftmaxNet.InputSize, SigmoidSoftmaxNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new TanhSvmNet(1), n => n.Parameters, TanhSvmNet.InputSize, TanhSvmNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new LeakyLogisticNet(1), n => n.Parameters, LeakyLogisticNet.InputSize, LeakyLogisticNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new MaxoutBinarySvmNet(1), n => n.Parameters, MaxoutBinarySvmNet.InputSize, MaxoutBinarySvmNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new StackedMaxoutHeadNet(1), n => n.Parameters, StackedMaxoutHeadNet.InputSize, StackedMaxoutHeadNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new RegressionNet(1), n => n.Parameters, RegressionNet.InputSize, RegressionNet.OutputSize, n => n.Forward, n => n.Forward);
        Same(new SpiralNetDouble(1), n => n.Parameters, SpiralNetDouble.InputSize, SpiralNetDouble.OutputSize, n => n.Forward, n => n.Forward);
        Same(new OneSampleDoubleNet(1), n => n.Parameters, OneSampleDoubleNet.InputSize, OneSampleDoubleNet.OutputSize, n => n.Forward, n => n.Forward);
    }

    [Fact]
    public void PredictAndProbabilitiesOfOneSampleEqualTheBatchRow()
    {
        var spiral = Randomized(new SpiralNet(2), n => n.Parameters);
        var x = Inputs<float>(7 * SpiralNet.InputSize, seed: 5);
        var labels = new int[7];
        spiral.Predict(x, labels);
        var batch = new float[7 * SpiralNet.OutputSize];
        spiral.Probabilities(x, batch, batch: 7);
        var one = new float[SpiralNet.OutputSize];
        for (var i = 0; i < 7; i++)
        {
            var row = x.AsSpan(i * SpiralNet.InputSize, SpiralNet.InputSize);
            Assert.Equal(labels[i], spiral.Predict(row));
            spiral.Probabilities(row, one);
            Near<float>(batch.AsSpan(i * SpiralNet.OutputSize, SpiralNet.OutputSize), one, 1e-5, "SpiralNet probabilities");
        }

        var net = Randomized(new OneSampleDoubleNet(2), n => n.Parameters);
        var xd = Inputs<double>(7 * OneSampleDoubleNet.InputSize, seed: 6);
        net.Predict(xd, labels);
        var batchD = new double[7 * OneSampleDoubleNet.OutputSize];
        net.Probabilities(xd, batchD, batch: 7);
        var oneD = new double[OneSampleDoubleNet.OutputSize];
        for (var i = 0; i < 7; i++)
        {
            var row = xd.AsSpan(i * OneSampleDoubleNet.InputSize, OneSampleDoubleNet.InputSize);
            Assert.Equal(labels[i], net.Predict(row));
            net.Probabilities(row, oneD);
            Near<double>(batchD.AsSpan(i * OneSampleDoubleNet.OutputSize, OneSampleDoubleNet.OutputSize), oneD, 1e-12, "OneSampleDoubleNet probabilities");
        }

        var logistic = Randomized(new OneSampleFloatNet(2), n => n.Parameters);
        var xf = Inputs<float>(7 * OneSampleFloatNet.InputSize, seed: 7);
        logistic.Predict(xf, labels);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(labels[i], logistic.Predict(xf.AsSpan(i * OneSampleFloatNet.InputSize, OneSampleFloatNet.InputSize)));
        }
    }

    [Fact]
    public void OneSamplePathsAllocateZeroBytes()
    {
        var fashion = new FashionTestNet(1);
        var deep = new OneSampleDoubleNet(1);
        var wide = new OneSampleFloatNet(1);
        var x = Inputs<float>(FashionTestNet.InputSize, seed: 1);
        var xd = Inputs<double>(OneSampleDoubleNet.InputSize, seed: 2);
        var xw = Inputs<float>(OneSampleFloatNet.InputSize, seed: 3);
        var scores = new float[FashionTestNet.OutputSize];
        var scoresD = new double[OneSampleDoubleNet.OutputSize];
        var scoresW = new float[OneSampleFloatNet.OutputSize];

        void Work()
        {
            fashion.Forward(x, scores);
            fashion.Predict(x);
            fashion.Probabilities(x, scores);
            deep.Forward(xd, scoresD);
            deep.Predict(xd);
            deep.Probabilities(xd, scoresD);
            wide.Forward(xw, scoresW);
            wide.Predict(xw);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // Random weights and biases (Initialize leaves biases at 0, which would hide a dropped bias), 5 random rows:
    // Forward(row) must equal row i of Forward(rows, batch: 5).
    private static void Same<TNet, T>(TNet net, Func<TNet, T[]> parameters, int inputs, int outputs, Func<TNet, One<T>> one, Func<TNet, Batch<T>> batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Randomized(net, parameters);
        const int rows = 5;
        var x = Inputs<T>(rows * inputs, seed: inputs);
        var expected = new T[rows * outputs];
        batch(net)(x, expected, rows);
        var actual = new T[outputs];
        var tolerance = typeof(T) == typeof(float) ? 1e-5 : 1e-12;
        for (var i = 0; i < rows; i++)
        {
            one(net)(x.AsSpan(i * inputs, inputs), actual);
            Near<T>(expected.AsSpan(i * outputs, outputs), actual, tolerance, typeof(TNet).Name + " row " + i);
        }
    }

    private static TNet Randomized<TNet, T>(TNet net, Func<TNet, T[]> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = parameters(net);
        var rng = new Random(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((rng.NextDouble() - 0.5) * 0.5);
        }

        return net;
    }

    private static T[] Inputs<T>(int length, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var x = new T[length];
        for (var i = 0; i < length; i++)
        {
            x[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        return x;
    }

    private static void Near<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // relative to the row's largest value: a score near 0 is the difference of large sums, rounded in another order
        var scale = 1.0;
        foreach (var e in expected)
        {
            scale = Math.Max(scale, Math.Abs(double.CreateTruncating(e)));
        }

        for (var j = 0; j < expected.Length; j++)
        {
            var e = double.CreateTruncating(expected[j]);
            var a = double.CreateTruncating(actual[j]);
            Assert.True(Math.Abs(a - e) <= tolerance * scale, $"{what}: [{j}] = {a}, batch gives {e}");
        }
    }
}
