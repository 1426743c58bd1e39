using System;
using System.Runtime.InteropServices;

namespace Nn.EndToEnd.Tests;

/// <summary>Training.Fit refuses bad data and options before the first step, leaving the network as it was.</summary>
public class FitChecksTests
{
    [Theory]
    [InlineData("train label", "train sample 299 has label 3")]
    [InlineData("negative train label", "train sample 299 has label -1")]
    [InlineData("validation label", "validation sample 59 has label 7")]
    [InlineData("NaN feature", "train sample 250, feature 1 is NaN")]
    [InlineData("infinite feature", "train sample 0, feature 0 is Infinity")]
    [InlineData("infinite validation feature", "validation sample 5, feature 1 is -Infinity")]
    [InlineData("empty train", "train has no samples")]
    [InlineData("empty validation", "validation has no samples")]
    [InlineData("Epochs -3", "Epochs is -3")]
    [InlineData("Epochs 0", "Epochs is 0")]
    [InlineData("BatchSize 0", "BatchSize is 0")]
    [InlineData("Patience -1", "Patience is -1")]
    [InlineData("Regularization -1", "Regularization is -1")]
    [InlineData("Regularization NaN", "Regularization is NaN")]
    [InlineData("Regularization infinite", "Regularization is Infinity")]
    public void RefusedFitLeavesTheNetworkBitIdentical(string bad, string message)
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 120, classes: 3, seed: 4);
        var (train, validation) = new Dataset<float>(x, y, 2).Split(validationCount: 60, seed: 1);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, LearningRate = (s, t) => 0.05, Patience = 1 };
        switch (bad)
        {
            case "train label": train.Y[299] = 3; break;
            case "negative train label": train.Y[299] = -1; break;
            case "validation label": validation.Y[59] = 7; break;
            case "NaN feature": train.X[(250 * 2) + 1] = float.NaN; break;
            case "infinite feature": train.X[0] = float.PositiveInfinity; break;
            case "infinite validation feature": validation.X[(5 * 2) + 1] = float.NegativeInfinity; break;
            case "empty train": train = new Dataset<float>([], [], 2); break;
            case "empty validation": validation = new Dataset<float>([], [], 2); break;
            case "Epochs -3": options = options with { Epochs = -3 }; break;
            case "Epochs 0": options = options with { Epochs = 0 }; break;
            case "BatchSize 0": options = options with { BatchSize = 0 }; break;
            case "Patience -1": options = options with { Patience = -1 }; break;
            case "Regularization -1": options = options with { Regularization = -1 }; break;
            case "Regularization NaN": options = options with { Regularization = double.NaN }; break;
            case "Regularization infinite": options = options with { Regularization = double.PositiveInfinity }; break;
            default: throw new ArgumentException(bad, nameof(bad));
        }

        var net = new BatchNormSpiralNet(seed: 3);
        var trainer = new BatchNormSpiralNet.Trainer(net, maxBatch: 32);
        var parameters = Bits(net.Parameters);
        var state = Bits(net.State);

        var optimizer = new Adam<float>(BatchNormSpiralNet.ParameterCount);
        var e = Assert.ThrowsAny<ArgumentException>(() => Training.Fit(trainer, optimizer, train, validation, options));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(bad.StartsWith("Epochs", StringComparison.Ordinal) || bad.StartsWith("BatchSize", StringComparison.Ordinal)
            || bad.StartsWith("Patience", StringComparison.Ordinal) || bad.StartsWith("Regularization", StringComparison.Ordinal)
            ? typeof(ArgumentOutOfRangeException) : typeof(ArgumentException), e.GetType());
        Assert.Equal(parameters, Bits(net.Parameters));
        Assert.Equal(state, Bits(net.State));
    }

    internal static int[] Bits(float[] values) => MemoryMarshal.Cast<float, int>(values.AsSpan()).ToArray();
}
