using System;
using System.Linq;
using System.Threading.Tasks;

namespace Nn.EndToEnd.Tests;

/// <summary>What the generated members promise: constants, layout, forward math, input checks, threads.</summary>
public class GeneratedNetworkTests
{
    [Fact]
    public void ConstantsFollowCs231nCounting()
    {
        Assert.Equal((2, 3, 603, 103, 2), (SpiralNet.InputSize, SpiralNet.OutputSize, SpiralNet.ParameterCount, SpiralNet.NeuronCount, SpiralNet.LayerCount));

        // The notes' two figures: 6 neurons / 26 parameters and 9 neurons / 41 parameters.
        Assert.Equal((6, 26, 2), (FigureOneNet.NeuronCount, FigureOneNet.ParameterCount, FigureOneNet.LayerCount));
        Assert.Equal((9, 41, 3), (FigureTwoNet.NeuronCount, FigureTwoNet.ParameterCount, FigureTwoNet.LayerCount));

        // [Input(32, 32, 3)] flattens like x.reshape(N, -1).
        Assert.Equal(3072, WideNet.InputSize);
    }

    [Fact]
    public void ViewsTileTheParameterBuffer()
    {
        var net = new SpiralNet(seed: 4);
        net.W1.Fill(1);
        net.b1.Fill(2);
        net.W2.Fill(3);
        net.b2.Fill(4);

        var expected = Enumerable.Repeat(1f, 200).Concat(Enumerable.Repeat(2f, 100)).Concat(Enumerable.Repeat(3f, 300)).Concat(Enumerable.Repeat(4f, 3));
        Assert.Equal(expected, net.Parameters);
    }

    [Fact]
    public void InitializationIsSeededAndScaled()
    {
        Assert.Equal(new SpiralNet(seed: 9).Parameters, new SpiralNet(seed: 9).Parameters);
        Assert.NotEqual(new SpiralNet(seed: 9).Parameters, new SpiralNet(seed: 10).Parameters);

        var net = new WideNet(seed: 2);
        Assert.All(net.b1.ToArray(), b => Assert.Equal(0f, b));
        // He: std √(2/3072) for the ReLU layer; Xavier: √(1/1200) for the output layer.
        Assert.InRange(Std(net.W1), Math.Sqrt(2.0 / 3072) * 0.98, Math.Sqrt(2.0 / 3072) * 1.02);
        Assert.InRange(Std(net.W2), Math.Sqrt(1.0 / 1200) * 0.9, Math.Sqrt(1.0 / 1200) * 1.1);

        net.Initialize(seed: 2, weightScale: 0.01f);
        Assert.InRange(Std(net.W1), 0.0098, 0.0102);
    }

    [Fact]
    public void ForwardComputesReluMlpScores()
    {
        var net = new SpiralNet(seed: 5);
        net.b1.Fill(0.05f);
        net.b2[1] = -0.3f;
        var (x, _) = SpiralData.Generate(pointsPerClass: 10, classes: 3, seed: 2);

        var batch = new float[30 * 3];
        net.Forward(x, batch, batch: 30);
        for (var n = 0; n < 30; n++)
        {
            var reference = ReferenceForward(net, x.AsSpan(n * 2, 2));
            var one = new float[3];
            net.Forward(x.AsSpan(n * 2, 2), one);
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(reference[j], one[j], 4);
                Assert.Equal(reference[j], batch[(n * 3) + j], 4);
            }

            Assert.Equal(Array.IndexOf(one, one.Max()), net.Predict(x.AsSpan(n * 2, 2)));
            var p = new float[3];
            net.Probabilities(x.AsSpan(n * 2, 2), p);
            Assert.Equal(1f, p.Sum(), 5);
            Assert.Equal(net.Predict(x.AsSpan(n * 2, 2)), Array.IndexOf(p, p.Max()));
        }
    }

    [Fact]
    public void WrongShapesAndLabelsThrowWithExpectedAndActual()
    {
        var net = new SpiralNet(seed: 1);
        var trainer = new SpiralNet.Trainer(net, maxBatch: 4);
        var x = new float[8];
        var before = (float[])net.Parameters.Clone();

        var e = Assert.Throws<ArgumentException>(() => net.Forward(new float[3], new float[3]));
        Assert.Contains("x has 3 elements, expected 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.Forward(new float[2], new float[4]));
        Assert.Contains("scores has 4 elements, expected 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.Forward(new float[6], new float[6], batch: 3));
        Assert.Contains("scores has 6 elements, expected 9", e.Message);
        e = Assert.Throws<ArgumentException>(() => trainer.Loss(new float[7], new[] { 0, 1, 2, 0 }));
        Assert.Contains("x has 7 elements, expected 8", e.Message);
        var big = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Loss(new float[10], new[] { 0, 1, 2, 0, 1 }));
        Assert.Contains("5 samples, more than this trainer's capacity of 4", big.Message);
        e = Assert.ThrowsAny<ArgumentException>(() => trainer.Loss(x, new[] { 0, 1, 3, 0 }));
        Assert.Contains("3", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => trainer.Loss(x, new[] { 0, -1, 2, 0 }));
        Assert.ThrowsAny<ArgumentException>(() => new SpiralNet.Trainer(net, maxBatch: 0));

        // A rejected call changes nothing.
        Assert.Equal(before, net.Parameters);
        Assert.All(trainer.Gradients, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void ConcurrentForwardCallsAgreeWithSequentialOnes()
    {
        var net = new WideNet(seed: 3);
        var rng = new Rng(1);
        var x = new float[16 * WideNet.InputSize];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        var sequential = new float[16 * WideNet.OutputSize];
        for (var n = 0; n < 16; n++)
        {
            net.Forward(x.AsSpan(n * WideNet.InputSize, WideNet.InputSize), sequential.AsSpan(n * WideNet.OutputSize, WideNet.OutputSize));
        }

        var parallel = new float[16 * WideNet.OutputSize];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
            net.Forward(x.AsSpan(n * WideNet.InputSize, WideNet.InputSize), parallel.AsSpan(n * WideNet.OutputSize, WideNet.OutputSize)));

        Assert.Equal(sequential, parallel);
    }

    private static float[] ReferenceForward(SpiralNet net, ReadOnlySpan<float> x)
    {
        var h = new float[100];
        for (var j = 0; j < 100; j++)
        {
            double s = net.b1[j];
            for (var i = 0; i < 2; i++)
            {
                s += x[i] * net.W1[(i * 100) + j];
            }

            h[j] = (float)Math.Max(0, s);
        }

        var scores = new float[3];
        for (var j = 0; j < 3; j++)
        {
            double s = net.b2[j];
            for (var i = 0; i < 100; i++)
            {
                s += h[i] * net.W2[(i * 3) + j];
            }

            scores[j] = (float)s;
        }

        return scores;
    }

    private static double Std(Span<float> values)
    {
        double mean = 0, square = 0;
        foreach (var v in values)
        {
            mean += v;
            square += (double)v * v;
        }

        mean /= values.Length;
        return Math.Sqrt((square / values.Length) - (mean * mean));
    }
}
