using System;
using System.Collections.Generic;

namespace Nn.EndToEnd.Tests;

/// <summary>Training.Fit stops on a learning rate or loss that is not finite, with the parameters of the epoch's start.</summary>
public class FitDivergenceTests
{
    [Fact]
    public void AHugeLearningRateStopsWithTheEpochStartsParameters()
    {
        // 300 samples in steps of 32: 10 steps per epoch. The first epoch is sane, then a rate of 1e6 blows the loss up
        // (with L2, every step multiplies the weights by about 1 − 1e6·λ: they overflow within a few steps).
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 3);
        var train = new Dataset<float>(x, y, 2);
        var net = new SpiralNet(seed: 2);
        var trainer = new SpiralNet.Trainer(net, maxBatch: 32);
        var options = new TrainingOptions { Epochs = 50, BatchSize = 32, LearningRate = (s, t) => s < 10 ? 0.01 : 1e6, Regularization = 1e-3 };
        var starts = new List<float[]> { (float[])net.Parameters.Clone() };   // starts[k] = the start of epoch k + 1
        var progress = new OnEpochEnd(() => starts.Add((float[])net.Parameters.Clone()));

        var e = Assert.Throws<TrainingDivergedException>(() => Training.Fit(trainer, new Sgd<float>(), train, null, options, progress));

        Assert.InRange(e.Epoch, 2, 50);
        Assert.InRange(e.Step, 0, 9);
        Assert.Contains($"epoch {e.Epoch}, step {e.Step}", e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Epoch, starts.Count);   // no epoch ended after the one that diverged
        Assert.All(net.Parameters, p => Assert.True(float.IsFinite(p)));
        Assert.Equal(FitChecksTests.Bits(starts[e.Epoch - 1]), FitChecksTests.Bits(net.Parameters));
        Assert.NotEqual(FitChecksTests.Bits(starts[0]), FitChecksTests.Bits(net.Parameters));   // the sane first epoch is kept, not undone
    }

    [Fact]
    public void ANaNLearningRateStopsWithItsStepNamed()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 3);
        var train = new Dataset<float>(x, y, 2);
        var net = new BatchNormSpiralNet(seed: 2);
        var trainer = new BatchNormSpiralNet.Trainer(net, maxBatch: 32);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, LearningRate = (s, t) => s == 13 ? double.NaN : 0.01 };
        var parameters = new List<float[]> { (float[])net.Parameters.Clone() };
        var states = new List<float[]> { (float[])net.State.Clone() };
        var progress = new OnEpochEnd(() =>
        {
            parameters.Add((float[])net.Parameters.Clone());
            states.Add((float[])net.State.Clone());
        });

        var e = Assert.Throws<TrainingDivergedException>(() => Training.Fit(trainer, new Sgd<float>(), train, null, options, progress));

        Assert.Equal((2, 3), (e.Epoch, e.Step));
        Assert.Contains("returned NaN at step 13 of 30", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, parameters.Count);
        Assert.Equal(FitChecksTests.Bits(parameters[1]), FitChecksTests.Bits(net.Parameters));
        Assert.Equal(FitChecksTests.Bits(states[1]), FitChecksTests.Bits(net.State));
    }

    private sealed class OnEpochEnd(Action action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.IsEpochEnd)
            {
                action();
            }
        }
    }
}
