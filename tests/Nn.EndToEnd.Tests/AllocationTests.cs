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
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
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
            trainer.Evaluate(x, y);
            trainer.Evaluate(x.AsSpan(0, 50 * 2), y.AsSpan(0, 50));
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
            trainer.Evaluate(x, y);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BatchNormAndDropoutAllocateZeroBytes()
    {
        var net = new BatchNormDropoutNet(seed: 1);
        var trainer = new BatchNormDropoutNet.Trainer(net, maxBatch: 64, seed: 2);
        var x = new float[64 * BatchNormDropoutNet.InputSize];
        var y = new int[64];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (i % 11) - 5;
        }

        for (var i = 0; i < y.Length; i++)
        {
            y[i] = i % 10;
        }

        var scores = new float[BatchNormDropoutNet.OutputSize];
        var batchScores = new float[64 * BatchNormDropoutNet.OutputSize];
        var labels = new int[64];

        void Work()
        {
            net.Forward(x.AsSpan(0, BatchNormDropoutNet.InputSize), scores);
            net.Predict(x.AsSpan(BatchNormDropoutNet.InputSize, BatchNormDropoutNet.InputSize));
            net.Probabilities(x.AsSpan(0, BatchNormDropoutNet.InputSize), scores);
            net.Forward(x, batchScores, batch: 64);
            net.Predict(x, labels);
            trainer.ResetDropout(3);
            trainer.Loss(x, y, reg: 1e-3f);
            trainer.Step(0.01f);
            trainer.Loss(x.AsSpan(0, 16 * BatchNormDropoutNet.InputSize), y.AsSpan(0, 16), reg: 0);
            trainer.Evaluate(x, y);
            trainer.Evaluate(x.AsSpan(0, 10 * BatchNormDropoutNet.InputSize), y.AsSpan(0, 10));
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
    public void EvaluateAllocatesZeroBytesForEveryHead()
    {
        var softmax = new SigmoidSoftmaxNetF.Trainer(new SigmoidSoftmaxNetF(seed: 1), maxBatch: 8);
        var svm = new TanhSvmNetF.Trainer(new TanhSvmNetF(seed: 1), maxBatch: 8);
        var binarySvm = new MaxoutBinarySvmNet.Trainer(new MaxoutBinarySvmNet(seed: 1), maxBatch: 8);
        var logistic = new LeakyLogisticNetF.Trainer(new LeakyLogisticNetF(seed: 1), maxBatch: 8);
        var regression = new RegressionNet.Trainer(new RegressionNet(seed: 1), maxBatch: 8);
        var x = new float[8 * 4];
        var xd = new double[8 * 4];
        var y = new[] { 0, 1, 1, 0, 1, 0, 0, 1 };
        var targets = new double[8 * 2];
        for (var i = 0; i < x.Length; i++)
        {
            xd[i] = (i % 7) - 3;
            x[i] = (float)xd[i];
        }

        void Work()
        {
            softmax.Evaluate(x, y);
            svm.Evaluate(x, y);
            binarySvm.Evaluate(xd, y);
            logistic.Evaluate(x, y);
            regression.Evaluate(xd, targets);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
