using System;
using System.Linq;

namespace Nn.Runtime.Tests;

/// <summary>
/// Optimizers created without a size (<c>new Adam&lt;float&gt;()</c>, <c>new Momentum&lt;float&gt;(0.9f)</c>) take it from
/// the first step's buffers and then behave exactly as those created with <c>Net.ParameterCount</c>.
/// </summary>
public class OptimizerSizingTests
{
    private static (float[] P, float[][] G) Problem(int length, int steps)
    {
        var rng = new Rng(5);
        var p = Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray();
        var g = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray()).ToArray();
        return (p, g);
    }

    private static float[] Run(IOptimizer<float> optimizer, float[] start, float[][] gradients)
    {
        var p = (float[])start.Clone();
        foreach (var g in gradients)
        {
            optimizer.Step(p, g, 1e-2f);
        }

        return p;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(603)]
    public void UnsizedAdamMatchesSizedAdamBitForBit(int length)
    {
        var (p, g) = Problem(length, 6);

        var sized = Run(new Adam<float>(length, beta1: 0.8), p, g);
        var unsized = Run(new Adam<float>(beta1: 0.8), p, g);

        Assert.Equal(sized, unsized);
        Assert.NotEqual(p, unsized);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(37, true)]
    [InlineData(603, false)]
    public void UnsizedMomentumMatchesSizedMomentumBitForBit(int length, bool nesterov)
    {
        var (p, g) = Problem(length, 6);

        var sized = Run(new Momentum<float>(length, 0.9f, nesterov), p, g);
        var unsized = Run(new Momentum<float>(0.9f, nesterov), p, g);

        Assert.Equal(sized, unsized);
        Assert.NotEqual(p, unsized);
    }

    [Fact]
    public void TheFirstStepFixesTheSize()
    {
        var adam = new Adam<float>();
        var momentum = new Momentum<float>(0.9f);
        adam.Step(new float[10], new float[10], 1e-3f);
        momentum.Step(new float[10], new float[10], 1e-3f);

        var a = Assert.Throws<ArgumentException>(() => adam.Step(new float[11], new float[11], 1e-3f));
        var m = Assert.Throws<ArgumentException>(() => momentum.Step(new float[10], new float[9], 1e-3f));

        Assert.Contains("11", a.Message);
        Assert.Contains("10", a.Message);
        Assert.Equal("gradients", m.ParamName);
    }

    [Fact]
    public void AFirstStepWithMismatchedGradientsIsRefused()
    {
        var adam = new Adam<float>();

        Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[3], 1e-3f));
    }

    [Fact]
    public void UnsizedConstructorsCheckTheirHyperparameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>(beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>(epsilon: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<float>(1f));
    }
}
