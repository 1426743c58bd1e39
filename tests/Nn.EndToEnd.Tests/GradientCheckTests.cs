using System;
using System.Collections.Generic;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// CS231n's gradient check on generated code: the trainer's analytic gradient against a centered
/// numeric difference of its own loss, in double precision, for every parameter tensor, with and
/// without L2. Bar: relative error |a − n| / (|a| + |n|) below 1e-7.
/// </summary>
public class GradientCheckTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void ThreeLayerReluNet(double reg)
    {
        var net = new CheckNet(seed: 3);
        var trainer = new CheckNet.Trainer(net, maxBatch: 8);
        var (x, y) = RandomBatch(samples: 5, CheckNet.InputSize, CheckNet.OutputSize, seed: 11);

        AssertGradientsMatch(
            net.Parameters,
            () => trainer.Loss(x, y, reg),
            trainer.Gradients,
            new[] { ("W1", net.W1.Length), ("b1", net.b1.Length), ("W2", net.W2.Length), ("b2", net.b2.Length), ("W3", net.W3.Length), ("b3", net.b3.Length) });
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void LinearHiddenLayer(double reg)
    {
        var net = new CheckLinearHiddenNet(seed: 5);
        var trainer = new CheckLinearHiddenNet.Trainer(net, maxBatch: 4);
        var (x, y) = RandomBatch(samples: 4, CheckLinearHiddenNet.InputSize, CheckLinearHiddenNet.OutputSize, seed: 12);

        AssertGradientsMatch(
            net.Parameters,
            () => trainer.Loss(x, y, reg),
            trainer.Gradients,
            new[] { ("W1", net.W1.Length), ("b1", net.b1.Length), ("W2", net.W2.Length), ("b2", net.b2.Length), ("W3", net.W3.Length), ("b3", net.b3.Length) });
    }

    public static TheoryData<string> Networks => new() { "SigmoidSoftmax", "TanhSvm", "LeakyLogistic", "MaxoutBinarySvm", "StackedMaxoutHead", "Regression" };

    /// <summary>Every activation and head, double precision, CS231n's bar (relative error below 1e-7), λ = 0 and 0.1.</summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void EveryActivationAndHeadInDouble(string name)
    {
        foreach (var reg in new[] { 0.0, 0.1 })
        {
            var (parameters, loss, gradients, tensors) = Subject(name, reg);
            AssertGradientsMatch(parameters, loss, gradients, tensors);
        }
    }

    /// <summary>
    /// The same networks in float. Float's 24-bit mantissa makes the numeric gradient itself noisy (one ulp of a loss
    /// near 1 is 1.2e-7; divided by 2h = 2e-3 that is 6e-5), so the bar is looser and the step larger: h = 1e-2 and
    /// <c>|a − n| / max(|a| + |n|, 1e-2) &lt; 1e-2</c>, i.e. relative 1e-2 above 1e-2 and absolute 1e-4 below.
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void EveryActivationAndHeadInFloat(string name)
    {
        var (parameters, loss, gradients) = FloatSubject(name, reg: 0.1f);
        AssertFloatGradientsMatch(name, parameters, loss, gradients);
    }

    private static void AssertFloatGradientsMatch(string name, float[] parameters, Func<float> loss, float[] gradients)
    {
        loss();
        var analytic = (float[])gradients.Clone();
        for (var i = 0; i < parameters.Length; i++)
        {
            const float H = 1e-2f;
            var saved = parameters[i];
            parameters[i] = saved + H;
            var plus = loss();
            parameters[i] = saved - H;
            var minus = loss();
            parameters[i] = saved;
            var numeric = (plus - minus) / (2 * H);
            var error = Math.Abs(analytic[i] - numeric) / Math.Max(Math.Abs(analytic[i]) + Math.Abs(numeric), 1e-2);
            Assert.True(error < 1e-2, $"{name} parameter {i}: analytic {analytic[i]}, numeric {numeric}, error {error:E2}");
        }
    }

    public static TheoryData<string> BatchNormAndDropout => new() { "BatchNorm", "Dropout", "BatchNormDropout" };

    /// <summary>
    /// BatchNorm (γ and β checked like every other tensor), Dropout after a ReLU and after a Tanh (whose backward pass
    /// undoes the dropout's scaling), and both together: double precision, CS231n's bar, λ = 0 and 0.1. Every Loss first
    /// restarts the dropout masks from one seed, so the numeric gradient's losses see the masks the analytic one saw.
    /// </summary>
    [Theory]
    [MemberData(nameof(BatchNormAndDropout))]
    public void BatchNormAndDropoutInDouble(string name)
    {
        foreach (var reg in new[] { 0.0, 0.1 })
        {
            var (parameters, loss, gradients, tensors) = NormalizationSubject(name, reg);
            AssertGradientsMatch(parameters, loss, gradients, tensors);
        }
    }

    /// <summary>The same networks in float, with <see cref="EveryActivationAndHeadInFloat"/>'s step and bar, λ = 0 and 0.1.</summary>
    [Theory]
    [MemberData(nameof(BatchNormAndDropout))]
    public void BatchNormAndDropoutInFloat(string name)
    {
        foreach (var reg in new[] { 0f, 0.1f })
        {
            var (parameters, loss, gradients) = FloatNormalizationSubject(name, reg);
            AssertFloatGradientsMatch(name, parameters, loss, gradients);
        }
    }

    // A batch of 8: BatchNorm's statistics are over the batch, so every sample's gradient depends on the others.
    private static (double[] Parameters, Func<double> Loss, double[] Gradients, (string, int)[] Tensors) NormalizationSubject(string name, double reg)
    {
        var (x, y) = RandomBatch(samples: 8, inputs: 5, classes: 3, seed: 31);
        switch (name)
        {
            case "BatchNorm":
            {
                var n = new BatchNormCheckNet(seed: 7);
                var t = new BatchNormCheckNet.Trainer(n, maxBatch: 8);
                return (n.Parameters, () => t.Loss(x, y, reg), t.Gradients, Tensors(BatchNormCheckNet.Tensors));
            }

            case "Dropout":
            {
                var n = new DropoutCheckNet(seed: 8);
                var t = new DropoutCheckNet.Trainer(n, maxBatch: 8);
                return (n.Parameters, () => { t.ResetDropout(41); return t.Loss(x, y, reg); }, t.Gradients, Tensors(DropoutCheckNet.Tensors));
            }

            default:
            {
                var n = new BatchNormDropoutCheckNet(seed: 9);
                var t = new BatchNormDropoutCheckNet.Trainer(n, maxBatch: 8);
                var tensors = Tensors(BatchNormDropoutCheckNet.Tensors);
                return (n.Parameters, () => { t.ResetDropout(42); return t.Loss(x, y, reg); }, t.Gradients, tensors);
            }
        }
    }

    private static (float[] Parameters, Func<float> Loss, float[] Gradients) FloatNormalizationSubject(string name, float reg)
    {
        var (xd, y) = RandomBatch(samples: 8, inputs: 5, classes: 3, seed: 31);
        var x = Array.ConvertAll(xd, v => (float)v);
        switch (name)
        {
            case "BatchNorm":
            {
                var n = new BatchNormCheckNetF(seed: 7);
                var t = new BatchNormCheckNetF.Trainer(n, maxBatch: 8);
                return (n.Parameters, () => t.Loss(x, y, reg), t.Gradients);
            }

            case "Dropout":
            {
                // Not seed 8, the double network's: with it one pre-activation of the ReLU is 5e-3 from its kink, which the
                // float step h = 1e-2 crosses. With seed 19 every pre-activation is more than 6·h·max(1, |x|) away.
                var n = new DropoutCheckNetF(seed: 19);
                var t = new DropoutCheckNetF.Trainer(n, maxBatch: 8);
                return (n.Parameters, () => { t.ResetDropout(41); return t.Loss(x, y, reg); }, t.Gradients);
            }

            default:
            {
                var n = new BatchNormDropoutCheckNetF(seed: 9);
                var t = new BatchNormDropoutCheckNetF.Trainer(n, maxBatch: 8);
                return (n.Parameters, () => { t.ResetDropout(42); return t.Loss(x, y, reg); }, t.Gradients);
            }
        }
    }

    private static (string, int)[] Tensors(IReadOnlyList<TensorInfo> tensors) => tensors.Select(t => (t.Name, t.Length)).ToArray();

    private static (double[] Parameters, Func<double> Loss, double[] Gradients, (string, int)[] Tensors) Subject(string name, double reg)
    {
        var (x, labels, binary, targets) = Data(4, 5, 3, seed: 21);
        switch (name)
        {
            case "SigmoidSoftmax":
            {
                var n = new SigmoidSoftmaxNet(seed: 1);
                var t = new SigmoidSoftmaxNet.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }

            case "TanhSvm":
            {
                var n = new TanhSvmNet(seed: 2);
                var t = new TanhSvmNet.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }

            case "LeakyLogistic":
            {
                var n = new LeakyLogisticNet(seed: 3);
                var t = new LeakyLogisticNet.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, binary, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }

            case "MaxoutBinarySvm":
            {
                var n = new MaxoutBinarySvmNet(seed: 4);
                var t = new MaxoutBinarySvmNet.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, binary, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }

            case "StackedMaxoutHead":
            {
                var n = new StackedMaxoutHeadNet(seed: 5);
                var t = new StackedMaxoutHeadNet.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }

            default:
            {
                var n = new RegressionNet(seed: 6);
                var t = new RegressionNet.Trainer(n, 5);
                var y = targets[..10];
                return (n.Parameters, () => t.Loss(x, y, reg), t.Gradients, Tensors(n.W1.Length, n.b1.Length, n.W2.Length, n.b2.Length));
            }
        }
    }

    private static (float[] Parameters, Func<float> Loss, float[] Gradients) FloatSubject(string name, float reg)
    {
        var (xd, labels, binary, targetsD) = Data(4, 5, 3, seed: 21);
        var x = Array.ConvertAll(xd, v => (float)v);
        var targets = Array.ConvertAll(targetsD[..10], v => (float)v);
        switch (name)
        {
            case "SigmoidSoftmax":
            {
                var n = new SigmoidSoftmaxNetF(seed: 1);
                var t = new SigmoidSoftmaxNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients);
            }

            case "TanhSvm":
            {
                var n = new TanhSvmNetF(seed: 2);
                var t = new TanhSvmNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients);
            }

            case "LeakyLogistic":
            {
                var n = new LeakyLogisticNetF(seed: 3);
                var t = new LeakyLogisticNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, binary, reg), t.Gradients);
            }

            case "MaxoutBinarySvm":
            {
                var n = new MaxoutBinarySvmNetF(seed: 4);
                var t = new MaxoutBinarySvmNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, binary, reg), t.Gradients);
            }

            case "StackedMaxoutHead":
            {
                var n = new StackedMaxoutHeadNetF(seed: 5);
                var t = new StackedMaxoutHeadNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, labels, reg), t.Gradients);
            }

            default:
            {
                var n = new RegressionNetF(seed: 6);
                var t = new RegressionNetF.Trainer(n, 5);
                return (n.Parameters, () => t.Loss(x, targets, reg), t.Gradients);
            }
        }
    }

    private static (string, int)[] Tensors(int w1, int b1, int w2, int b2) => new[] { ("W1", w1), ("b1", b1), ("W2", w2), ("b2", b2) };

    // 5 samples of 4 inputs; labels in [0, 3); binary labels; 15 real targets.
    private static (double[] X, int[] Labels, int[] Binary, double[] Targets) Data(int inputs, int samples, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[samples * inputs];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        var labels = new int[samples];
        var binary = new int[samples];
        for (var i = 0; i < samples; i++)
        {
            labels[i] = rng.NextInt(classes);
            binary[i] = rng.NextInt(2);
        }

        var targets = new double[samples * classes];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = rng.NextGaussian();
        }

        return (x, labels, binary, targets);
    }

    private static void AssertGradientsMatch(double[] parameters, Func<double> loss, double[] gradients, (string Name, int Length)[] tensors)
    {
        loss();
        var analytic = (double[])gradients.Clone();
        var numeric = new double[parameters.Length];
        GradientCheck.Numeric(parameters, loss, numeric, h: 1e-5);

        var offset = 0;
        var failures = new List<string>();
        foreach (var (name, length) in tensors)
        {
            var error = GradientCheck.MaxRelativeError(analytic.AsSpan(offset, length), numeric.AsSpan(offset, length));
            if (!(error < 1e-7))
            {
                var worst = 0;
                for (var i = 1; i < length; i++)
                {
                    if (Math.Abs(analytic[offset + i] - numeric[offset + i]) > Math.Abs(analytic[offset + worst] - numeric[offset + worst]))
                    {
                        worst = i;
                    }
                }

                failures.Add($"{name}: relative error {error:E2} (worst: analytic {analytic[offset + worst]:R}, numeric {numeric[offset + worst]:R})");
            }

            offset += length;
        }

        Assert.Equal(parameters.Length, offset);
        Assert.Empty(failures);
    }

    private static (double[] X, int[] Y) RandomBatch(int samples, int inputs, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[samples * inputs];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        var y = new int[samples];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = rng.NextInt(classes);
        }

        return (x, y);
    }
}
