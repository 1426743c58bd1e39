using System;
using System.Collections.Generic;
using System.IO;

namespace Nn.EndToEnd.Tests;

/// <summary>Training.Fit on generated trainers: it learns, reports, stops early, and does not allocate per step.</summary>
public class TrainingTests
{
    [Fact]
    public void FitLearnsTheSpiralWithAdamAndReportsProgress()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 200, classes: 3, seed: 2);
        var (train, validation) = new Dataset<float>(x, y, 2).Split(validationCount: 100, seed: 1);
        var net = new SpiralNet(seed: 1);
        var trainer = new SpiralNet.Trainer(net, maxBatch: 64);
        var reports = new List<TrainingProgress>();
        var options = new TrainingOptions { Epochs = 60, BatchSize = 32, LearningRate = (s, t) => LearningRateSchedules.Cosine(0.01, s, t), ReportEvery = 5 };

        var result = Training.Fit(trainer, new Adam<float>(SpiralNet.ParameterCount), train, validation, options, new Collect(reports));

        Assert.Equal(60, result.Epochs.Count);
        Assert.True(result.Epochs[^1].ValidationAccuracy > 0.95, $"validation accuracy {result.Epochs[^1].ValidationAccuracy:P1}");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss / 3);
        Assert.Equal(60 * 4, reports.Count);   // 16 steps of 32 (500 samples): reports at 5, 10, 15 and the epoch's end
        Assert.All(reports, r => Assert.True(r.SamplesPerSecond > 0));
        Assert.Equal(60, reports.FindAll(r => r.IsEpochEnd && !double.IsNaN(r.ValidationLoss)).Count);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        // A learning rate far too high makes the validation loss blow up after the first epochs.
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 3);
        var (train, validation) = new Dataset<float>(x, y, 2).Split(validationCount: 60, seed: 1);
        var trainer = new SpiralNet.Trainer(new SpiralNet(seed: 2), maxBatch: 32);
        var options = new TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = (s, t) => s < 40 ? 0.01 : 3.0, Patience = 2 };

        var result = Training.Fit(trainer, new Sgd<float>(), train, validation, options);

        Assert.True(result.StoppedEarly);
        Assert.True(result.Epochs.Count < 40);
        var best = result.Epochs[result.BestEpoch - 1];
        Assert.Equal(best.ValidationLoss, Training.Evaluate(trainer, validation).Loss, 4);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochsRunningStatisticsWithItsParameters()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 3);
        var (train, validation) = new Dataset<float>(x, y, 2).Split(validationCount: 60, seed: 1);
        var net = new BatchNormSpiralNet(seed: 2);
        var trainer = new BatchNormSpiralNet.Trainer(net, maxBatch: 32);
        var options = new TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = (s, t) => s < 60 ? 0.01 : 3.0, Patience = 2 };
        var states = new List<float[]>();
        var parameters = new List<float[]>();
        var progress = new OnEpochEnd(() =>
        {
            states.Add((float[])net.State.Clone());
            parameters.Add((float[])net.Parameters.Clone());
        });

        var result = Training.Fit(trainer, new Sgd<float>(), train, validation, options, progress);

        Assert.True(result.StoppedEarly);
        Assert.True(result.BestEpoch < result.Epochs.Count, $"best epoch {result.BestEpoch} of {result.Epochs.Count}: nothing to restore");
        Assert.NotEqual(states[result.BestEpoch - 1], states[^1]);   // later epochs did move the running statistics
        Assert.Equal(parameters[result.BestEpoch - 1], net.Parameters);
        Assert.Equal(states[result.BestEpoch - 1], net.State);
        var best = result.Epochs[result.BestEpoch - 1];
        Assert.Equal(best.ValidationLoss, Training.Evaluate(trainer, validation).Loss, 4);
    }

    [Fact]
    public void StepsDoNotAllocate()
    {
        long Allocated(int samples)
        {
            var (x, y) = SpiralData.Generate(pointsPerClass: samples / 3, classes: 3, seed: 2);
            var trainer = new SpiralNet.Trainer(new SpiralNet(seed: 1), maxBatch: 10);
            var data = new Dataset<float>(x, y, 2);
            var optimizer = new Adam<float>(SpiralNet.ParameterCount);
            var options = new TrainingOptions { Epochs = 1, BatchSize = 10 };
            Training.Fit(trainer, optimizer, data, null, options);   // warm-up (JIT, workspaces)
            var before = GC.GetAllocatedBytesForCurrentThread();
            Training.Fit(trainer, optimizer, data, null, options);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // 30 steps or 300 steps per epoch: the only difference is the shuffle permutation, 4 bytes per sample,
        // allocated once per Fit; nothing is allocated per step.
        var small = Allocated(300);
        var large = Allocated(3000);
        Assert.InRange(large - small, 0, ((3000 - 300) * sizeof(int)) + 64);
    }

    [Fact]
    public void WrongFeatureCountIsRefused()
    {
        var trainer = new SpiralNet.Trainer(new SpiralNet(), maxBatch: 8);
        var data = new Dataset<float>(new float[30], new int[10], features: 3);
        var e = Assert.Throws<ArgumentException>(() => Training.Fit(trainer, new Sgd<float>(), data, null, new TrainingOptions()));
        Assert.Contains("3 features per sample; the network takes 2", e.Message);
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => Training.Fit(trainer, new Sgd<float>(), new Dataset<float>(new float[20], new int[10], 2), null, new TrainingOptions { BatchSize = 9 }));
        Assert.Contains("[1, 8]", batch.Message);
    }

    [Fact]
    public void FashionMnistOneEpochBeatsEightyFivePercent()
    {
        const string Directory = "/usr/share/datasets/fashion-mnist";
        Assert.True(File.Exists(Path.Combine(Directory, "t10k-images-idx3-ubyte.gz")), "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist (.ci/run does).");
        var train = Idx.ReadDataset(Path.Combine(Directory, "train-images-idx3-ubyte.gz"), Path.Combine(Directory, "train-labels-idx1-ubyte.gz"));
        var test = Idx.ReadDataset(Path.Combine(Directory, "t10k-images-idx3-ubyte.gz"), Path.Combine(Directory, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal((60000, 784, 10000), (train.Count, train.Features, test.Count));
        var standardizer = Standardizer.Fit(train);
        standardizer.Transform(train);
        standardizer.Transform(test);

        var trainer = new FashionTestNet.Trainer(new FashionTestNet(seed: 1), maxBatch: 500);
        Training.Fit(trainer, new Adam<float>(FashionTestNet.ParameterCount), train, null, new TrainingOptions { Epochs = 1, LearningRate = (s, t) => 1e-3 });
        var (_, accuracy) = Training.Evaluate(trainer, test);
        Assert.True(accuracy > 0.85, $"test accuracy after one epoch {accuracy:P2}");
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

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
