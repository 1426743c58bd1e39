using System;
using System.Collections.Generic;
using System.Linq;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>Activations, losses, reductions, regularization and SGD against plain loops.</summary>
public class KernelTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 257).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReluForwardAndBackward(int length)
    {
        var rng = new Rng((ulong)length);
        var x = Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray();
        var dout = Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray();

        var h = new float[length];
        Activations.ReluForward<float>(x, h);
        Assert.Equal(x.Select(v => Math.Max(0, v)), h);

        var dh = (float[])dout.Clone();
        Activations.ReluBackward<float>(h, dh);
        Assert.Equal(dout.Select((d, i) => h[i] > 0 ? d : 0f), dh);

        // in place
        Activations.ReluForward<float>(x, x);
        Assert.Equal(h, x);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdL2AndSumRows(int length)
    {
        var rng = new Rng((ulong)length + 1000);
        var p = Enumerable.Range(0, length).Select(_ => rng.NextGaussian()).ToArray();
        var g = Enumerable.Range(0, length).Select(_ => rng.NextGaussian()).ToArray();
        var expected = p.Select((v, i) => v - (0.1 * g[i])).ToArray();
        ParameterUpdates.Sgd<double>(p, g, 0.1);
        Assert.Equal(expected, p, new Tolerance(1e-15));

        Assert.Equal(0.5 * p.Sum(v => v * v), Regularization.L2<double>(p), 1e-9);
        var dw = (double[])g.Clone();
        Regularization.L2Backward<double>(p, dw, 0.01);
        Assert.Equal(g.Select((v, i) => v + (0.01 * p[i])), dw, new Tolerance(1e-15));

        var cols = Math.Max(1, length % 13);
        var rows = length / cols;
        var sum = new double[cols];
        Reductions.SumRows<double>(p, sum, rows, cols);
        var reference = Enumerable.Range(0, cols).Select(j => Enumerable.Range(0, rows).Sum(i => p[(i * cols) + j])).ToArray();
        Assert.Equal(reference, sum, new Tolerance(1e-12));
    }

    [Fact]
    public void SoftmaxCrossEntropyOfZeroScoresIsLn3()
    {
        var scores = new float[4 * 3];
        var d = new float[12];
        var loss = Losses.SoftmaxCrossEntropy<float>(scores, new[] { 0, 1, 2, 1 }, d, batch: 4, classes: 3);
        Assert.Equal(Math.Log(3), loss, 6);
        // (p − 1[y]) / N with p = 1/3, N = 4
        Assert.Equal((1 / 3f - 1) / 4, d[0], 6);
        Assert.Equal(1 / 3f / 4, d[1], 6);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesTheDefinitionAndItsGradient()
    {
        var rng = new Rng(3);
        const int Batch = 5, Classes = 4;
        var scores = Enumerable.Range(0, Batch * Classes).Select(_ => rng.NextGaussian()).ToArray();
        var labels = new[] { 0, 3, 2, 1, 3 };
        var d = new double[scores.Length];
        var loss = Losses.SoftmaxCrossEntropy<double>(scores, labels, d, Batch, Classes);

        double Definition(double[] s) => Enumerable.Range(0, Batch).Average(i =>
        {
            var row = s.Skip(i * Classes).Take(Classes).ToArray();
            return -Math.Log(Math.Exp(row[labels[i]]) / row.Sum(Math.Exp));
        });

        Assert.Equal(Definition(scores), loss, 12);
        var numeric = new double[scores.Length];
        GradientCheck.Numeric(scores, () => Definition(scores), numeric);
        var error = GradientCheck.MaxRelativeError(d, numeric);
        Assert.True(error < 1e-7, $"relative error {error:E2}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 255)]
    [InlineData(16, 256)]
    [InlineData(17, 257)]
    [InlineData(100, 600)]
    public void SoftmaxCrossEntropyMatchesRowByRowReferenceAcrossChunksAndRowWidths(int classes, int batch)
    {
        var rng = new Rng((ulong)(classes * 1000) + (ulong)batch);
        var scores = Enumerable.Range(0, batch * classes).Select(_ => 3 * rng.NextGaussian()).ToArray();
        var labels = Enumerable.Range(0, batch).Select(i => (int)((uint)(i * 7919) % classes)).ToArray();
        var d = new double[scores.Length];
        var loss = Losses.SoftmaxCrossEntropy<double>(scores, labels, d, batch, classes);

        var expectedLoss = 0.0;
        var expected = new double[scores.Length];
        for (var i = 0; i < batch; i++)
        {
            var row = scores.AsSpan(i * classes, classes);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(v => Math.Exp(v - max));
            expectedLoss -= row[labels[i]] - max - Math.Log(sum);
            for (var j = 0; j < classes; j++)
            {
                expected[(i * classes) + j] = ((Math.Exp(row[j] - max) / sum) - (j == labels[i] ? 1 : 0)) / batch;
            }
        }

        Assert.Equal(expectedLoss / batch, loss, 12);
        Assert.Equal(expected, d, new Tolerance(1e-15));

        var inPlace = (double[])scores.Clone();
        Assert.Equal(loss, Losses.SoftmaxCrossEntropy<double>(inPlace, labels, inPlace, batch, classes));
        Assert.Equal(d, inPlace);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(41)]
    [InlineData(100)]
    [InlineData(129)]
    public void SumRowsAddsEachColumnTopToBottom(int cols)
    {
        var rng = new Rng((ulong)cols + 77);
        const int Rows = 65;
        var x = Enumerable.Range(0, Rows * cols).Select(_ => (float)rng.NextGaussian()).ToArray();
        var start = Enumerable.Range(0, cols).Select(_ => (float)rng.NextGaussian()).ToArray();
        foreach (var accumulate in new[] { false, true })
        {
            var expected = new float[cols];
            for (var j = 0; j < cols; j++)
            {
                var s = accumulate ? start[j] : 0f;
                for (var i = 0; i < Rows; i++)
                {
                    s += x[(i * cols) + j];
                }

                expected[j] = s;
            }

            var sum = (float[])start.Clone();
            Reductions.SumRows<float>(x, sum, Rows, cols, accumulate);
            Assert.Equal(expected, sum);   // same order of additions: equal to the bit
        }
    }

    [Fact]
    public void LargeLogitsStayFinite()
    {
        var scores = new float[] { 1e4f, 0, -1e4f, 3e38f, 3e38f, -3e38f };
        var d = new float[6];
        var loss = Losses.SoftmaxCrossEntropy<float>(scores, new[] { 2, 0 }, d, batch: 2, classes: 3);
        Assert.True(float.IsFinite(loss));
        Assert.Equal((2e4f + MathF.Log(2)) / 2, loss, 0);
        Assert.All(d, v => Assert.True(float.IsFinite(v)));

        var probs = new double[] { 1e300, 1e300, 0 };
        Losses.SoftmaxProbabilities<double>(probs, probs, batch: 1, classes: 3);
        Assert.Equal(new[] { 0.5, 0.5, 0 }, probs);
    }

    [Fact]
    public void OutOfRangeLabelThrowsAndWritesNothing()
    {
        var scores = new float[6];
        var d = new float[] { 7, 7, 7, 7, 7, 7 };
        var e = Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<float>(scores, new[] { 1, 3 }, d, batch: 2, classes: 3));
        Assert.Contains("labels[1] is 3, expected a class index in [0, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => Losses.ValidateLabels(new[] { -1 }, 3));
        Assert.All(d, v => Assert.Equal(7f, v));
    }

    [Fact]
    public void InPlaceSoftmaxCrossEntropyEqualsSeparate()
    {
        var rng = new Rng(8);
        var scores = Enumerable.Range(0, 30).Select(_ => (float)rng.NextGaussian()).ToArray();
        var labels = Enumerable.Range(0, 10).Select(i => i % 3).ToArray();
        var d = new float[30];
        var separate = Losses.SoftmaxCrossEntropy<float>(scores, labels, d, 10, 3);
        var inPlace = Losses.SoftmaxCrossEntropy<float>(scores, labels, scores, 10, 3);
        Assert.Equal(separate, inPlace);
        Assert.Equal(d, scores);
    }

    [Fact]
    public void HingeLogisticAndSquaredLossesMatchTheirDefinitions()
    {
        // Multiclass SVM: row 0 (y = 0): margins 2 − 1 + 1 = 2 and 0.5 − 1 + 1 = 0.5; row 1 (y = 2): 0 − 3 + 1 < 0, 1 − 3 + 1 < 0.
        var scores = new[] { 1.0, 2.0, 0.5, 0.0, 1.0, 3.0 };
        var d = new double[6];
        Assert.Equal(2.5 / 2, Losses.MulticlassSvm<double>(scores, new[] { 0, 2 }, d, batch: 2, classes: 3), 12);
        Assert.Equal(new[] { -1.0, 0.5, 0.5, 0, 0, 0 }, d);

        // Binary SVM: labels 0/1 are t = −1/+1; loss max(0, 1 − t·s).
        var binary = new[] { 0.5, -2.0, 3.0 };
        var db = new double[3];
        Assert.Equal((0.5 + 0 + 4) / 3, Losses.BinarySvm<double>(binary, new[] { 1, 0, 0 }, db, batch: 3), 12);
        Assert.Equal(new[] { -1.0 / 3, 0, 1.0 / 3 }, db, new Tolerance(1e-15));

        // Logistic: softplus(s) − y·s, stable for huge scores; gradient (σ(s) − y)/N.
        var logits = new[] { 0f, 1000f, -1000f, 30f };
        var dl = new float[4];
        var loss = Losses.LogisticCrossEntropy<float>(logits, new[] { 1, 0, 0, 1 }, dl, batch: 4);
        Assert.Equal((MathF.Log(2) + 1000f + 0f + MathF.Log(1 + MathF.Exp(-30f))) / 4, loss, 3);
        Assert.Equal(new[] { -0.125f, 0.25f, 0f, 0f }, dl.Select(v => MathF.Round(v, 6)));

        // Mean squared error: (1/2N) Σ‖s − t‖², gradient (s − t)/N.
        var prediction = new[] { 1f, 2f, 3f, 4f };
        var dm = new float[4];
        Assert.Equal((1f + 0 + 4 + 1) / 4, Losses.MeanSquaredError<float>(prediction, new[] { 0f, 2f, 1f, 5f }, dm, batch: 2, outputs: 2));
        Assert.Equal(new[] { 0.5f, 0f, 1f, -0.5f }, dm);
        Assert.Throws<ArgumentException>(() => Losses.BinarySvm<double>(binary, new[] { 1, 2, 0 }, db, batch: 3));
    }

    [Fact]
    public void MaxoutRoutesTheGradientToTheWinner()
    {
        var z = new[] { 1f, 5f, 2f, -1f, -3f, -2f };   // two units of three pieces
        var h = new float[2];
        MaxoutKernels.Forward<float>(z, h, rows: 1, units: 2, pieces: 3);
        Assert.Equal(new[] { 5f, -1f }, h);
        var dz = new float[6];
        MaxoutKernels.Backward<float>(z, new[] { 0.5f, -2f }, dz, rows: 1, units: 2, pieces: 3);
        Assert.Equal(new[] { 0f, 0.5f, 0f, -2f, 0f, 0f }, dz);
    }

    [Fact]
    public void ArgMaxRowsPicksEachRowsLargest()
    {
        var x = new float[] { 1, 5, 2, 9, 0, 3 };
        var idx = new int[2];
        Reductions.ArgMaxRows<float>(x, idx, rows: 2, cols: 3);
        Assert.Equal(new[] { 1, 0 }, idx);
    }

    [Fact]
    public void RngIsDeterministicAndGaussian()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        var c = new Rng(43);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), c.NextUInt64());

        var rng = new Rng(1);
        double sum = 0, square = 0;
        const int Count = 100_000;
        for (var i = 0; i < Count; i++)
        {
            var g = rng.NextGaussian();
            sum += g;
            square += g * g;
        }

        Assert.InRange(sum / Count, -0.01, 0.01);
        Assert.InRange(square / Count, 0.98, 1.02);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => rng.NextInt(3)), v => Assert.InRange(v, 0, 2));
    }

    [Fact]
    public void SpiralHasTheNotesShape()
    {
        var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
        Assert.Equal(600, x.Length);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i / 100), y);
        for (var j = 0; j < 3; j++)
        {
            var first = (j * 100) * 2;
            var last = ((j * 100) + 99) * 2;
            Assert.Equal(0f, MathF.Sqrt((x[first] * x[first]) + (x[first + 1] * x[first + 1])), 6);
            Assert.Equal(1f, MathF.Sqrt((x[last] * x[last]) + (x[last + 1] * x[last + 1])), 5);
        }

        Assert.Equal(SpiralData.Generate(seed: 5).X, SpiralData.Generate(seed: 5).X);
    }

    [Fact]
    public void GuardMessagesNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => Guard.Length(3, 2, "x", "InputSize"));
        Assert.Equal("x has 3 elements, expected 2 (InputSize). (Parameter 'x')", e.Message);
        var b = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Batch(9, 8, "y"));
        Assert.Contains("9 samples, more than this trainer's capacity of 8", b.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Batch(0, 8, "y"));
        Guard.Batch(8, 8, "y");
    }

    private sealed class Tolerance(double bar) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= bar * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
