using System;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// BatchNorm and Dropout through the generated code: inference (Forward, Predict, Evaluate) normalizes with the running
/// statistics and passes dropout's values through, the trainer's Loss normalizes with the batch's statistics and moves
/// the running ones by the momentum formula, and its dropout masks depend on the trainer's seed alone.
/// </summary>
public class BatchNormDropoutTests
{
    // BatchNormOptionsNet: layer 1 has BatchNorm's defaults, layer 2 sets both options.
    private const double Epsilon1 = 1e-5, Momentum1 = 0.9, Epsilon2 = 1e-3, Momentum2 = 0.8;

    [Fact]
    public void ForwardPredictAndEvaluateUseTheRunningStatistics()
    {
        var net = new BatchNormOptionsNet(seed: 1);
        var trainer = new BatchNormOptionsNet.Trainer(net, maxBatch: 16);
        var (train, trainLabels) = Batch(16, BatchNormOptionsNet.InputSize, BatchNormOptionsNet.OutputSize, seed: 2);
        for (var i = 0; i < 5; i++)
        {
            trainer.Loss(train, trainLabels, 1e-3);
            trainer.Step(0.1);
        }

        // Running statistics set by hand, far from any batch's, so that normalizing with the batch's would show.
        SetState(net);
        var state = (double[])net.State.Clone();
        var (x, y) = Batch(6, BatchNormOptionsNet.InputSize, BatchNormOptionsNet.OutputSize, seed: 3);
        var expected = new double[6 * BatchNormOptionsNet.OutputSize];
        for (var s = 0; s < 6; s++)
        {
            Inference(net, x.AsSpan(s * 4, 4), expected.AsSpan(s * 3, 3));
        }

        // One sample at a time (the Gemv path), as a batch (the Gemm path), and a batch of one.
        var scores = new double[3];
        for (var s = 0; s < 6; s++)
        {
            net.Forward(x.AsSpan(s * 4, 4), scores);
            AssertClose(expected.AsSpan(s * 3, 3), scores, $"Forward of sample {s}");
            Assert.Equal(ArgMax(expected.AsSpan(s * 3, 3)), net.Predict(x.AsSpan(s * 4, 4)));
        }

        var batchScores = new double[expected.Length];
        net.Forward(x, batchScores, batch: 6);
        AssertClose(expected, batchScores, "Forward of the batch");
        net.Forward(x.AsSpan(0, 4), scores, batch: 1);
        AssertClose(expected.AsSpan(0, 3), scores, "Forward of a batch of one");
        var labels = new int[6];
        net.Predict(x, labels);
        Assert.Equal(Enumerable.Range(0, 6).Select(s => ArgMax(expected.AsSpan(s * 3, 3))), labels);

        // Evaluate: the mean softmax loss of the same scores, at batch 6 and at batch 1 (whose own statistics would
        // normalize every unit to β).
        Assert.Equal(SoftmaxLoss(expected, y), trainer.Evaluate(x, y), 12);
        Assert.Equal(SoftmaxLoss(expected.AsSpan(0, 3).ToArray(), y.AsSpan(0, 1)), trainer.Evaluate(x.AsSpan(0, 4), y.AsSpan(0, 1)), 12);

        // None of them moved the running statistics.
        Assert.Equal(state, net.State);
    }

    [Fact]
    public void LossNormalizesWithTheBatchAndMovesTheRunningStatisticsByTheMomentum()
    {
        var net = new BatchNormOptionsNet(seed: 4);
        var trainer = new BatchNormOptionsNet.Trainer(net, maxBatch: 8);
        SetState(net);
        var old = (double[])net.State.Clone();
        var (x, y) = Batch(7, BatchNormOptionsNet.InputSize, BatchNormOptionsNet.OutputSize, seed: 5);

        // By hand: layer 1's pre-activations a1 [7×6], their column means and biased variances, the normalized ReLU
        // output, then the same for layer 2 [7×5].
        var a1 = Affine(x, net.W1, net.b1, rows: 7, inputs: 4, outputs: 6);
        var (mean1, var1) = ColumnStatistics(a1, rows: 7, cols: 6);
        var h1 = Normalize(a1, net.gamma1, net.beta1, mean1, var1, Epsilon1, rows: 7, cols: 6).Select(v => Math.Max(0, v)).ToArray();
        var a2 = Affine(h1, net.W2, net.b2, rows: 7, inputs: 6, outputs: 5);
        var (mean2, var2) = ColumnStatistics(a2, rows: 7, cols: 5);
        var h2 = Normalize(a2, net.gamma2, net.beta2, mean2, var2, Epsilon2, rows: 7, cols: 5).Select(Math.Tanh).ToArray();
        var scores = Affine(h2, net.W3, net.b3, rows: 7, inputs: 5, outputs: 3);

        var loss = trainer.Loss(x, y, 0);

        Assert.Equal(SoftmaxLoss(scores, y), loss, 12);
        AssertClose(Moved(old.AsSpan(0, 6), mean1, Momentum1, 1), net.runningMean1.ToArray(), "runningMean1");
        AssertClose(Moved(old.AsSpan(6, 6), var1, Momentum1, 1), net.runningVar1.ToArray(), "runningVar1");
        AssertClose(Moved(old.AsSpan(12, 5), mean2, Momentum2, 1), net.runningMean2.ToArray(), "runningMean2");
        AssertClose(Moved(old.AsSpan(17, 5), var2, Momentum2, 1), net.runningVar2.ToArray(), "runningVar2");

        // A second Loss on the same batch: the loss does not read the running statistics, which move once more.
        Assert.Equal(loss, trainer.Loss(x, y, 0));
        AssertClose(Moved(old.AsSpan(0, 6), mean1, Momentum1, 2), net.runningMean1.ToArray(), "runningMean1 after two");
        AssertClose(Moved(old.AsSpan(6, 6), var1, Momentum1, 2), net.runningVar1.ToArray(), "runningVar1 after two");
        AssertClose(Moved(old.AsSpan(12, 5), mean2, Momentum2, 2), net.runningMean2.ToArray(), "runningMean2 after two");
        AssertClose(Moved(old.AsSpan(17, 5), var2, Momentum2, 2), net.runningVar2.ToArray(), "runningVar2 after two");
    }

    [Fact]
    public void DropoutLeavesForwardPredictAndEvaluateAlone()
    {
        var (x, y) = Batch(8, 5, 3, seed: 6);

        // Dropout alone: DropoutTwinNet is DropoutCheckNet without the Dropout attributes.
        var dropout = new DropoutCheckNet(seed: 7);
        var dropoutTrainer = new DropoutCheckNet.Trainer(dropout, maxBatch: 8, seed: 8);
        Train(dropoutTrainer.Loss, dropoutTrainer.Step, x, y);
        var twin = new DropoutTwinNet(seed: 9);
        dropout.Parameters.CopyTo(twin.Parameters, 0);
        AssertSameInference(dropout.Forward, dropout.Forward, dropout.Predict, dropoutTrainer.Evaluate, twin.Forward, twin.Forward, twin.Predict,
            new DropoutTwinNet.Trainer(twin, maxBatch: 8).Evaluate, x, y);

        // Evaluate drew no masks: the next Loss is the one a new trainer with the same seed computes first.
        dropoutTrainer.ResetDropout(10);
        dropoutTrainer.Evaluate(x, y);
        Assert.Equal(new DropoutCheckNet.Trainer(dropout, maxBatch: 8, seed: 10).Loss(x, y, 0), dropoutTrainer.Loss(x, y, 0));

        // With BatchNorm: BatchNormCheckNet is BatchNormDropoutCheckNet without the Dropout attributes.
        var both = new BatchNormDropoutCheckNet(seed: 11);
        var bothTrainer = new BatchNormDropoutCheckNet.Trainer(both, maxBatch: 8, seed: 12);
        Train(bothTrainer.Loss, bothTrainer.Step, x, y);
        var plain = new BatchNormCheckNet(seed: 13);
        both.Parameters.CopyTo(plain.Parameters, 0);
        both.State.CopyTo(plain.State, 0);
        AssertSameInference(both.Forward, both.Forward, both.Predict, bothTrainer.Evaluate, plain.Forward, plain.Forward, plain.Predict,
            new BatchNormCheckNet.Trainer(plain, maxBatch: 8).Evaluate, x, y);
    }

    [Fact]
    public void LossWithDropoutDependsOnTheSeedAlone()
    {
        var (x, y) = Batch(8, 5, 3, seed: 14);

        var dropout = new DropoutCheckNet(seed: 15);
        var dropoutTrainer = new DropoutCheckNet.Trainer(dropout, maxBatch: 8, seed: 1);
        AssertSeeded(dropoutTrainer.ResetDropout, () => dropoutTrainer.Loss(x, y, 0.1), dropoutTrainer.Gradients,
            seed => new DropoutCheckNet.Trainer(dropout, maxBatch: 8, seed).Loss(x, y, 0.1));
        var twin = new DropoutTwinNet(seed: 16);
        dropout.Parameters.CopyTo(twin.Parameters, 0);
        dropoutTrainer.ResetDropout(1);
        Assert.NotEqual(new DropoutTwinNet.Trainer(twin, maxBatch: 8).Loss(x, y, 0.1), dropoutTrainer.Loss(x, y, 0.1));

        var both = new BatchNormDropoutCheckNet(seed: 17);
        var bothTrainer = new BatchNormDropoutCheckNet.Trainer(both, maxBatch: 8, seed: 1);
        AssertSeeded(bothTrainer.ResetDropout, () => bothTrainer.Loss(x, y, 0.1), bothTrainer.Gradients,
            seed => new BatchNormDropoutCheckNet.Trainer(both, maxBatch: 8, seed).Loss(x, y, 0.1));
    }

    // The same seed gives the same loss and gradients bit for bit, however many Loss calls came between; another seed,
    // or the next call without a reset, gives another loss; ResetDropout(s) draws what a new trainer with seed s draws.
    private static void AssertSeeded(Action<ulong> reset, Func<double> loss, double[] gradients, Func<ulong, double> fresh)
    {
        var first = loss();
        var firstGradients = (double[])gradients.Clone();
        var next = loss();
        Assert.NotEqual(first, next);

        reset(1);
        Assert.Equal(first, loss());
        Assert.Equal(firstGradients, gradients);

        reset(2);
        var other = loss();
        Assert.NotEqual(first, other);
        Assert.NotEqual(firstGradients, gradients);
        Assert.Equal(other, fresh(2));

        reset(1);
        Assert.Equal(first, loss());
        Assert.Equal(firstGradients, gradients);
    }

    private delegate void One(ReadOnlySpan<double> x, Span<double> scores);

    private delegate void Many(ReadOnlySpan<double> x, Span<double> scores, int batch);

    private delegate int PredictOne(ReadOnlySpan<double> x);

    private delegate double Evaluation(ReadOnlySpan<double> x, ReadOnlySpan<int> y);

    private delegate double LossCall(ReadOnlySpan<double> x, ReadOnlySpan<int> y, double reg);

    // Bit for bit: with the same parameters and state, the network with Dropout runs the same inference code.
    private static void AssertSameInference(
        One one, Many many, PredictOne predict, Evaluation evaluate, One twinOne, Many twinMany, PredictOne twinPredict, Evaluation twinEvaluate,
        double[] x, int[] y)
    {
        var rows = y.Length;
        var inputs = x.Length / rows;
        double[] a = new double[3], b = new double[3];
        for (var s = 0; s < rows; s++)
        {
            one(x.AsSpan(s * inputs, inputs), a);
            twinOne(x.AsSpan(s * inputs, inputs), b);
            Assert.Equal(b, a);
            Assert.Equal(twinPredict(x.AsSpan(s * inputs, inputs)), predict(x.AsSpan(s * inputs, inputs)));
        }

        double[] batch = new double[rows * 3], twinBatch = new double[rows * 3];
        many(x, batch, rows);
        twinMany(x, twinBatch, rows);
        Assert.Equal(twinBatch, batch);
        var loss = evaluate(x, y);
        Assert.Equal(twinEvaluate(x, y), loss);
        Assert.Equal(loss, evaluate(x, y));   // no mask in between
    }

    private static void Train(LossCall loss, Action<double> step, double[] x, int[] y)
    {
        for (var i = 0; i < 3; i++)
        {
            loss(x, y, 1e-3);
            step(0.1);
        }
    }

    // Running means between −1 and 1, variances between 0.2 and 3: nothing like a batch's statistics.
    private static void SetState(BatchNormOptionsNet net)
    {
        var rng = new Rng(99);
        foreach (var tensor in BatchNormOptionsNet.StateTensors)
        {
            var mean = tensor.Name.StartsWith("runningMean", StringComparison.Ordinal);
            for (var j = tensor.Offset; j < tensor.Offset + tensor.Length; j++)
            {
                net.State[j] = mean ? (2 * rng.NextDouble()) - 1 : 0.2 + (2.8 * rng.NextDouble());
            }
        }
    }

    // BatchNormOptionsNet's inference for one sample, written out from its tensors and its State.
    private static void Inference(BatchNormOptionsNet net, ReadOnlySpan<double> x, Span<double> scores)
    {
        var a1 = Affine(x.ToArray(), net.W1, net.b1, rows: 1, inputs: 4, outputs: 6);
        var h1 = Normalize(a1, net.gamma1, net.beta1, net.runningMean1.ToArray(), net.runningVar1.ToArray(), Epsilon1, rows: 1, cols: 6);
        h1 = h1.Select(v => Math.Max(0, v)).ToArray();
        var a2 = Affine(h1, net.W2, net.b2, rows: 1, inputs: 6, outputs: 5);
        var h2 = Normalize(a2, net.gamma2, net.beta2, net.runningMean2.ToArray(), net.runningVar2.ToArray(), Epsilon2, rows: 1, cols: 5);
        h2 = h2.Select(Math.Tanh).ToArray();
        Affine(h2, net.W3, net.b3, rows: 1, inputs: 5, outputs: 3).CopyTo(scores);
    }

    // x [rows×inputs] · W [inputs×outputs] + b.
    private static double[] Affine(double[] x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, int rows, int inputs, int outputs)
    {
        var result = new double[rows * outputs];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < outputs; j++)
            {
                var sum = b[j];
                for (var k = 0; k < inputs; k++)
                {
                    sum += x[(i * inputs) + k] * w[(k * outputs) + j];
                }

                result[(i * outputs) + j] = sum;
            }
        }

        return result;
    }

    // Column means and biased (1/N) variances.
    private static (double[] Mean, double[] Variance) ColumnStatistics(double[] a, int rows, int cols)
    {
        var mean = new double[cols];
        var variance = new double[cols];
        for (var j = 0; j < cols; j++)
        {
            for (var i = 0; i < rows; i++)
            {
                mean[j] += a[(i * cols) + j] / rows;
            }

            for (var i = 0; i < rows; i++)
            {
                variance[j] += (a[(i * cols) + j] - mean[j]) * (a[(i * cols) + j] - mean[j]) / rows;
            }
        }

        return (mean, variance);
    }

    // γ·(a − mean)/√(variance + ε) + β per column.
    private static double[] Normalize(
        double[] a, ReadOnlySpan<double> gamma, ReadOnlySpan<double> beta, double[] mean, double[] variance, double epsilon, int rows, int cols)
    {
        var result = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                result[(i * cols) + j] = (gamma[j] * (a[(i * cols) + j] - mean[j]) / Math.Sqrt(variance[j] + epsilon)) + beta[j];
            }
        }

        return result;
    }

    // The running statistic after `times` updates r = m·r + (1 − m)·batch with the same batch value.
    private static double[] Moved(ReadOnlySpan<double> old, double[] batch, double momentum, int times)
    {
        var result = old.ToArray();
        for (var t = 0; t < times; t++)
        {
            for (var j = 0; j < result.Length; j++)
            {
                result[j] = (momentum * result[j]) + ((1 - momentum) * batch[j]);
            }
        }

        return result;
    }

    private static double SoftmaxLoss(double[] scores, ReadOnlySpan<int> y)
    {
        var classes = scores.Length / y.Length;
        var loss = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            var row = scores.AsSpan(i * classes, classes);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(s => Math.Exp(s - max));
            loss += Math.Log(sum) - (row[y[i]] - max);
        }

        return loss / y.Length;
    }

    private static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }

    // Relative to the largest |expected| value: the library and this file add in different orders.
    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.ToArray().Max(Math.Abs), 1e-12);
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]) / scale;
            Assert.True(error < 1e-12, $"{what} [{i}]: expected {expected[i]:R}, got {actual[i]:R}, error {error:E2}");
        }
    }

    private static (double[] X, int[] Y) Batch(int samples, int inputs, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[samples * inputs];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        return (x, Enumerable.Range(0, samples).Select(_ => rng.NextInt(classes)).ToArray());
    }
}
