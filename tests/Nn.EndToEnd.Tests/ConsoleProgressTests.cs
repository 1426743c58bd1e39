using System;
using System.IO;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>ConsoleProgress writes Fit's reports synchronously: every epoch's line, in order, before Fit returns.</summary>
public class ConsoleProgressTests
{
    private static (string[] Lines, TrainingResult Result) Train(bool redraw, Dataset<float>? validation, out string text)
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 2);
        var data = new Dataset<float>(x, y, 2);
        var trainer = new SpiralNet.Trainer(new SpiralNet(seed: 1), maxBatch: 32);
        var options = new TrainingOptions { Epochs = 25, BatchSize = 32, ReportEvery = 2, LearningRate = (s, t) => LearningRateSchedules.Cosine(0.01, s, t) };
        using var writer = new StringWriter();
        var result = Training.Fit(trainer, new Adam<float>(SpiralNet.ParameterCount), data, validation, options, new ConsoleProgress(writer, redraw));
        text = writer.ToString();   // read as Fit returns: nothing may still be on its way
        return (text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), result);
    }

    [Fact]
    public void EveryEpochIsOneLineInOrderWrittenBeforeFitReturns()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 20, classes: 3, seed: 5);
        var (lines, result) = Train(redraw: false, new Dataset<float>(x, y, 2), out var text);

        Assert.Equal(25, lines.Length);
        Assert.DoesNotContain("\r", text);
        for (var e = 0; e < 25; e++)
        {
            Assert.StartsWith(FormattableString.Invariant($"epoch {e + 1,2}/25 "), lines[e]);
            Assert.Contains(" 10/10 loss ", lines[e]);   // 300 samples in batches of 32
            Assert.Contains(FormattableString.Invariant($"loss {result.Epochs[e].Loss:F4} acc "), lines[e]);
            Assert.Contains(FormattableString.Invariant($"val loss {result.Epochs[e].ValidationLoss:F4} val acc "), lines[e]);
        }
    }

    [Fact]
    public void RedrawWritesTheStepsOfAnEpochInOrderBeforeItsLine()
    {
        var (lines, _) = Train(redraw: true, validation: null, out var text);

        Assert.Equal(25, lines.Length);
        Assert.DoesNotContain("val loss", text);   // no validation set: no validation figures
        for (var e = 0; e < 25; e++)
        {
            // reports every 2 steps of 10 (steps 2, 4, 6, 8; step 10 is the epoch's own line), each drawn over the last
            var draws = lines[e].Split('\r', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(new[] { 2, 4, 6, 8, 10 }, draws.Select(d => int.Parse(d.Split('/')[1].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.All(draws, d => Assert.StartsWith(FormattableString.Invariant($"epoch {e + 1,2}/25 "), d));
        }
    }
}
