using System;

namespace Nn.EndToEnd.Tests;

/// <summary>Inference and a training step allocate nothing once warm: measured on this thread's allocation counter.</summary>
public class AllocationTests
{
    [Fact]
    public void ForwardPredictAndTrainingStepAllocateZeroBytes()
    {
        var net = new SpiralNet(seed: 1);
        var trainer = new SpiralNet.Trainer(net, maxBatch: 300);
        var (x, y) = Datasets.Spiral(pointsPerClass: 100, classes: 3, seed: 0);
        var scores = new float[3];
        var batchScores = new float[300 * 3];
        var labels = new int[300];

        void Work()
        {
            net.Forward(x.AsSpan(0, 2), scores);
            net.Predict(x.AsSpan(2, 2));
            net.Probabilities(x.AsSpan(4, 2), scores);
            net.Forward(x, batchScores, batch: 300);
            net.Predict(x, labels);
            trainer.Loss(x, y, reg: 1e-3f);
            trainer.Step(1.0f);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WorkspacePathAllocatesZeroBytesAfterWarmUp()
    {
        var net = new WideNet(seed: 1);
        var trainer = new WideNet.Trainer(net, maxBatch: 8);
        var x = new float[8 * WideNet.InputSize];
        var y = new int[] { 0, 1, 2, 3, 4, 5, 6, 7 };
        var scores = new float[WideNet.OutputSize];

        void Work()
        {
            net.Forward(x.AsSpan(0, WideNet.InputSize), scores);
            net.Predict(x.AsSpan(0, WideNet.InputSize));
            trainer.Loss(x, y, reg: 1e-3f);
            trainer.Step(0.1f);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
