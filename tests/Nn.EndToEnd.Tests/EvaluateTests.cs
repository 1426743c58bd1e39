using System;
using System.Linq;
using System.Numerics;
using Nn.Kernels;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// The trainers' forward-only Evaluate: the same loss and scores as Loss, bit for bit, for every head in float and
/// double; Gradients and RegularizationLoss untouched; the same argument checks; Training.Evaluate unchanged.
/// </summary>
public class EvaluateTests
{
    public static TheoryData<string> Classifiers => new()
    {
        "SigmoidSoftmax", "SigmoidSoftmaxF", "TanhSvm", "TanhSvmF", "MaxoutBinarySvm", "MaxoutBinarySvmF",
        "LeakyLogistic", "LeakyLogisticF", "StackedMaxoutHead", "StackedMaxoutHeadF", "Spiral", "SpiralDouble",
    };

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void EvaluateEqualsLossDataLossAndScoresBitForBit(string name)
    {
        switch (name)
        {
            case "SigmoidSoftmax": CheckClassifier(new SigmoidSoftmaxNet.Trainer(new SigmoidSoftmaxNet(seed: 1), maxBatch: 9)); break;
            case "SigmoidSoftmaxF": CheckClassifier(new SigmoidSoftmaxNetF.Trainer(new SigmoidSoftmaxNetF(seed: 1), maxBatch: 9)); break;
            case "TanhSvm": CheckClassifier(new TanhSvmNet.Trainer(new TanhSvmNet(seed: 2), maxBatch: 9)); break;
            case "TanhSvmF": CheckClassifier(new TanhSvmNetF.Trainer(new TanhSvmNetF(seed: 2), maxBatch: 9)); break;
            case "MaxoutBinarySvm": CheckClassifier(new MaxoutBinarySvmNet.Trainer(new MaxoutBinarySvmNet(seed: 3), maxBatch: 9)); break;
            case "MaxoutBinarySvmF": CheckClassifier(new MaxoutBinarySvmNetF.Trainer(new MaxoutBinarySvmNetF(seed: 3), maxBatch: 9)); break;
            case "LeakyLogistic": CheckClassifier(new LeakyLogisticNet.Trainer(new LeakyLogisticNet(seed: 4), maxBatch: 9)); break;
            case "LeakyLogisticF": CheckClassifier(new LeakyLogisticNetF.Trainer(new LeakyLogisticNetF(seed: 4), maxBatch: 9)); break;
            case "StackedMaxoutHead": CheckClassifier(new StackedMaxoutHeadNet.Trainer(new StackedMaxoutHeadNet(seed: 5), maxBatch: 9)); break;
            case "StackedMaxoutHeadF": CheckClassifier(new StackedMaxoutHeadNetF.Trainer(new StackedMaxoutHeadNetF(seed: 5), maxBatch: 9)); break;
            case "Spiral": CheckClassifier(new SpiralNet.Trainer(new SpiralNet(seed: 6), maxBatch: 9)); break;
            case "SpiralDouble": CheckClassifier(new SpiralNetDouble.Trainer(new SpiralNetDouble(seed: 6), maxBatch: 9)); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }

    // Regression trainers have no Scores member: the loss itself, over random targets, is what can be compared.
    [Fact]
    public void RegressionEvaluateEqualsLossDataLossBitForBit()
    {
        var trainer = new RegressionNet.Trainer(new RegressionNet(seed: 7), maxBatch: 9);
        CheckRegression(trainer.Loss, trainer.Evaluate, () => trainer.DataLoss, () => trainer.RegularizationLoss, trainer.Gradients, RegressionNet.InputSize, RegressionNet.OutputSize);
        var single = new RegressionNetF.Trainer(new RegressionNetF(seed: 7), maxBatch: 9);
        CheckRegression(single.Loss, single.Evaluate, () => single.DataLoss, () => single.RegularizationLoss, single.Gradients, RegressionNetF.InputSize, RegressionNetF.OutputSize);
    }

    [Fact]
    public void WrongInputsThrowTheSameArgumentExceptionAsLossBeforeWritingAnything()
    {
        var trainer = new TanhSvmNetF.Trainer(new TanhSvmNetF(seed: 2), maxBatch: 4);
        var (x, y) = Batch<float>(4, TanhSvmNetF.InputSize, 3, seed: 1);
        var dataLoss = trainer.Evaluate(x, y);

        var short1 = x.AsSpan(0, x.Length - 1).ToArray();
        AssertSameFailure(() => trainer.Loss(short1, y, 0), () => trainer.Evaluate(short1, y), "x has 15 elements, expected 16 (y.Length·InputSize)");
        AssertSameFailure(() => trainer.Loss(x, y.AsSpan(0, 3), 0), () => trainer.Evaluate(x, y.AsSpan(0, 3)), "x has 16 elements, expected 12 (y.Length·InputSize)");
        AssertSameFailure(() => trainer.Loss(x, new[] { 0, 1, 3, 2 }, 0), () => trainer.Evaluate(x, new[] { 0, 1, 3, 2 }), "labels[2] is 3, expected a class index in [0, 3)");
        AssertSameFailure(() => trainer.Loss(default, default, 0), () => trainer.Evaluate(default, default), "The batch has 0 samples, expected at least 1");
        var five = new int[5];
        var x5 = new float[5 * TanhSvmNetF.InputSize];
        AssertSameFailure(() => trainer.Loss(x5, five, 0), () => trainer.Evaluate(x5, five), "The batch has 5 samples, more than this trainer's capacity of 4");
        Assert.Equal(dataLoss, trainer.DataLoss);   // nothing written by the failed calls

        var regression = new RegressionNetF.Trainer(new RegressionNetF(seed: 7), maxBatch: 4);
        var rx = new float[3 * RegressionNetF.InputSize];
        var ry = new float[5];
        AssertSameFailure(() => regression.Loss(rx, ry, 0), () => regression.Evaluate(rx, ry), "y has 5 elements, expected 6 (N·OutputSize, N = x.Length / InputSize)");
        var rxShort = new float[(3 * RegressionNetF.InputSize) + 1];
        AssertSameFailure(() => regression.Loss(rxShort, new float[6], 0), () => regression.Evaluate(rxShort, new float[6]), "x has 13 elements, expected 12 (N·InputSize)");
    }

    // Training.Evaluate through Evaluate gives exactly what it gave through Loss(x, y, 0), and leaves Gradients alone.
    [Fact]
    public void TrainingEvaluateIsUnchangedAndKeepsTheGradients()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 70, classes: 3, seed: 4);
        var data = new Dataset<float>(x, y, 2);
        var trainer = new SpiralNet.Trainer(new SpiralNet(seed: 3), maxBatch: 64);
        trainer.Loss(x.AsSpan(0, 64 * 2), y.AsSpan(0, 64), 1e-3f);
        var gradients = (float[])trainer.Gradients.Clone();

        var (loss, accuracy) = Training.Evaluate(trainer, data, batch: 50);

        Assert.Equal(gradients, trainer.Gradients);
        var reference = new SpiralNet.Trainer(trainer.Network, maxBatch: 64);
        double expectedLoss = 0;
        long correct = 0;
        for (var start = 0; start < data.Count; start += 50)
        {
            var n = Math.Min(50, data.Count - start);
            expectedLoss += reference.Loss(x.AsSpan(start * 2, n * 2), y.AsSpan(start, n), 0) * (double)n;
            var predicted = new int[n];
            Reductions.ArgMaxRows(((IClassifierTrainer<float>)reference).Scores, predicted, rows: n, cols: 3);
            correct += predicted.Where((p, i) => p == y[start + i]).Count();
        }

        Assert.Equal(expectedLoss / data.Count, loss);
        Assert.Equal((double)correct / data.Count, accuracy);
    }

    private static void CheckClassifier<T>(IClassifierTrainer<T> trainer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var classes = trainer.OutputSize == 1 ? 2 : trainer.OutputSize;
        var (x, y) = Batch<T>(7, trainer.InputSize, classes, seed: 11);
        var (x2, y2) = Batch<T>(9, trainer.InputSize, classes, seed: 12);

        var total = trainer.Loss(x, y, T.CreateChecked(0.1));
        var dataLoss = trainer.DataLoss;
        Assert.NotEqual(dataLoss, total);              // the L2 term is there, and Evaluate must leave it out
        var scores = trainer.Scores.ToArray();
        var gradients = (T[])trainer.Gradients.Clone();

        trainer.Evaluate(x2, y2);                      // another batch size in between: nothing of it may stay
        Assert.Equal(9 * trainer.OutputSize, trainer.Scores.Length);
        var evaluated = trainer.Evaluate(x, y);

        AssertBits(dataLoss, evaluated);
        AssertBits(dataLoss, trainer.DataLoss);
        Assert.Equal(scores.Length, trainer.Scores.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            AssertBits(scores[i], trainer.Scores[i]);
        }

        Assert.Equal(gradients, trainer.Gradients);
    }

    private delegate T LossCall<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, double reg);

    private delegate T EvaluateCall<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y);

    private static void CheckRegression<T>(LossCall<T> loss, EvaluateCall<T> evaluate, Func<T> dataLoss, Func<T> regLoss, T[] gradients, int inputs, int outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Gaussian<T>(7 * inputs, seed: 21);
        var y = Gaussian<T>(7 * outputs, seed: 22);
        loss(x, y, 0.1);
        var expected = dataLoss();
        var expectedReg = regLoss();
        var before = (T[])gradients.Clone();

        evaluate(Gaussian<T>(9 * inputs, seed: 23), Gaussian<T>(9 * outputs, seed: 24));
        var evaluated = evaluate(x, y);

        AssertBits(expected, evaluated);
        AssertBits(expected, dataLoss());
        AssertBits(expectedReg, regLoss());
        Assert.Equal(before, gradients);
    }

    private static void AssertSameFailure(Action loss, Action evaluate, string message)
    {
        var expected = Assert.ThrowsAny<ArgumentException>(loss);
        var actual = Assert.ThrowsAny<ArgumentException>(evaluate);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.ParamName, actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Contains(message, actual.Message);
    }

    private static void AssertBits<T>(T expected, T actual)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Assert.Equal(double.CreateChecked(expected).ToString("R"), double.CreateChecked(actual).ToString("R"));

    private static (T[] X, int[] Y) Batch<T>(int samples, int inputs, int classes, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(seed + 1000);
        return (Gaussian<T>(samples * inputs, seed), Enumerable.Range(0, samples).Select(_ => rng.NextInt(classes)).ToArray());
    }

    private static T[] Gaussian<T>(int length, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        var values = new T[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = T.CreateChecked(rng.NextGaussian() * 2);
        }

        return values;
    }
}
