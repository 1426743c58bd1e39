using System;
using System.Collections.Generic;

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
                failures.Add($"{name}: relative error {error:E2}");
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
