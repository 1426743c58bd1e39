using System;

namespace Nn.EndToEnd.Tests;

/// <summary>Optimizer constructors refuse hyperparameters out of range, naming the parameter.</summary>
public class OptimizerHyperparameterTests
{
    [Theory]
    [InlineData(1.0, 0.999, 1e-8, "beta1")]
    [InlineData(-0.1, 0.999, 1e-8, "beta1")]
    [InlineData(double.NaN, 0.999, 1e-8, "beta1")]
    [InlineData(0.9, 1.0, 1e-8, "beta2")]
    [InlineData(0.9, 1.5, 1e-8, "beta2")]
    [InlineData(0.9, 0.999, 0.0, "epsilon")]
    [InlineData(0.9, 0.999, -1e-8, "epsilon")]
    [InlineData(0.9, 0.999, double.PositiveInfinity, "epsilon")]
    public void AdamRefusesHyperparametersOutOfRange(double beta1, double beta2, double epsilon, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>(10, beta1, beta2, epsilon));
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(parameter, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void MomentumRefusesMuOutOfRange(float mu)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<float>(10, mu));
        Assert.Equal("mu", e.ParamName);
    }
}
