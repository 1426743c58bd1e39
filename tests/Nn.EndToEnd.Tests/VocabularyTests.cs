using System;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>The whole vocabulary at work: heads learn what they should, predictions and probabilities read right, dead units are counted.</summary>
public class VocabularyTests
{
    [Fact]
    public void Cifar10ShapeCompilesAndLearns()
    {
        Assert.Equal((3072, 10, 308_310, 110, 2), (Cifar10Net.InputSize, Cifar10Net.OutputSize, Cifar10Net.ParameterCount, Cifar10Net.NeuronCount, Cifar10Net.LayerCount));
        Assert.Equal((307_300, 307_200), (Cifar10Net.Layer1ParameterCount, Cifar10Net.Layer1MultiplyAdds));
        Assert.Equal(307_200 + 1000, Cifar10Net.MultiplyAdds);

        // Overfit 20 random "images": the loss must fall well below ln 10.
        var rng = new Rng(5);
        var x = Enumerable.Range(0, 20 * 3072).Select(_ => (float)rng.NextGaussian()).ToArray();
        var y = Enumerable.Range(0, 20).Select(i => i % 10).ToArray();
        var net = new Cifar10Net(seed: 1);
        var trainer = new Cifar10Net.Trainer(net, maxBatch: 20);
        var first = trainer.Loss(x, y, 1e-4f);
        float loss = first;
        for (var i = 0; i < 50; i++)
        {
            trainer.Step(0.05f);
            loss = trainer.Loss(x, y, 1e-4f);
        }

        Assert.InRange(first, 1.5f, 4f);
        Assert.True(loss < 0.2f, $"loss {loss} after 50 steps (started at {first})");
        Assert.Equal(1.0, SpiralCaseStudyTests.SpiralAccuracy(net.Predict, x, y));
    }

    [Fact]
    public void LogisticHeadSeparatesTwoClassesAndGivesProbabilities()
    {
        var (x, y) = TwoBlobs(100, seed: 3);
        var net = new LeakyLogisticNetF(seed: 2);
        var trainer = new LeakyLogisticNetF.Trainer(net, maxBatch: 100);
        for (var i = 0; i < 300; i++)
        {
            trainer.Loss(x, y, 1e-3f);
            trainer.Step(0.5f);
        }

        Assert.True(SpiralCaseStudyTests.SpiralAccuracy(net.Predict, x, y) > 0.95);
        var p = new float[1];
        var scores = new float[1];
        net.Probabilities(x.AsSpan(0, 4), p);
        net.Forward(x.AsSpan(0, 4), scores);
        Assert.Equal(1 / (1 + MathF.Exp(-scores[0])), p[0], 5);
        Assert.Equal(p[0] > 0.5f ? 1 : 0, net.Predict(x.AsSpan(0, 4)));
        Assert.Throws<ArgumentException>(() => trainer.Loss(x.AsSpan(0, 8), new[] { 0, 2 }));
    }

    [Fact]
    public void BinarySvmReadsLabelsAsMinusOneAndPlusOne()
    {
        var (x, y) = TwoBlobs(100, seed: 4);
        var net = new MaxoutBinarySvmNetF(seed: 3);
        var trainer = new MaxoutBinarySvmNetF.Trainer(net, maxBatch: 100);
        for (var i = 0; i < 300; i++)
        {
            trainer.Loss(x, y, 1e-3f);
            trainer.Step(0.1f);
        }

        Assert.True(SpiralCaseStudyTests.SpiralAccuracy(net.Predict, x, y) > 0.95);
        Assert.True(trainer.DataLoss < 0.2f);
    }

    [Fact]
    public void MulticlassSvmLearnsTheSpiral()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
        var xs = Enumerable.Range(0, 300).SelectMany(i => new[] { x[2 * i], x[(2 * i) + 1], x[2 * i] * x[(2 * i) + 1], 1f }).ToArray();
        var net = new TanhSvmNetF(seed: 1);
        var trainer = new TanhSvmNetF.Trainer(net, maxBatch: 300);
        var first = trainer.Loss(xs, y);
        for (var i = 0; i < 500; i++)
        {
            trainer.Loss(xs, y, 1e-3f);
            trainer.Step(0.5f);
        }

        Assert.True(trainer.DataLoss < first * 0.8f, $"hinge loss {trainer.DataLoss} from {first}");
    }

    [Fact]
    public void MeanSquaredErrorFitsALinearMap()
    {
        // y = (x0 + 2·x1, x2 − x3): a tanh layer followed by a linear one can fit it closely on small inputs.
        var rng = new Rng(9);
        var x = Enumerable.Range(0, 64 * 4).Select(_ => (float)(0.5 * rng.NextGaussian())).ToArray();
        var y = Enumerable.Range(0, 64).SelectMany(i => new[] { x[4 * i] + (2 * x[(4 * i) + 1]), x[(4 * i) + 2] - x[(4 * i) + 3] }).ToArray();
        var net = new RegressionNetF(seed: 2);
        var trainer = new RegressionNetF.Trainer(net, maxBatch: 64);
        var first = trainer.Loss(x, y);
        for (var i = 0; i < 2000; i++)
        {
            trainer.Loss(x, y);
            trainer.Step(0.1f);
        }

        Assert.True(trainer.DataLoss < first / 20, $"MSE {trainer.DataLoss} from {first}");
        var e = Assert.Throws<ArgumentException>(() => trainer.Loss(x, y.AsSpan(0, 10)));
        Assert.Contains("y has 10 elements, expected 128", e.Message);
    }

    [Fact]
    public void DeadUnitFractionCountsUnitsZeroForTheWholeBatch()
    {
        var net = new SpiralNet(seed: 1);
        var trainer = new SpiralNet.Trainer(net, maxBatch: 300);
        var (x, y) = SpiralData.Generate(seed: 0);
        trainer.Loss(x, y);
        var healthy = trainer.DeadUnitFraction(1);

        // Push every first-layer bias far below zero: those units can no longer fire for any input in [-1, 1]².
        net.b1[..40].Fill(-100f);
        trainer.Loss(x, y);
        Assert.InRange(healthy, 0, 0.1);
        Assert.InRange(trainer.DeadUnitFraction(1), 0.4, 0.5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.DeadUnitFraction(2));
        Assert.Contains("Layers with a ReLU: 1.", e.Message);
    }

    private static (float[] X, int[] Y) TwoBlobs(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * 4];
        var y = new int[count];
        for (var i = 0; i < count; i++)
        {
            y[i] = i % 2;
            for (var j = 0; j < 4; j++)
            {
                x[(4 * i) + j] = (float)(rng.NextGaussian() + (y[i] == 1 ? 1.5 : -1.5));
            }
        }

        return (x, y);
    }
}
