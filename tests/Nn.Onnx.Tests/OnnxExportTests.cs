using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Onnx.Tests;

/// <summary>ONNX Runtime, fed the exported model, computes what the generated Forward computes.</summary>
public class OnnxExportTests
{
    private delegate void ForwardBatch(ReadOnlySpan<float> x, Span<float> scores, int batch);

    [Fact]
    public void SpiralNetMatchesForward()
    {
        var net = new OnnxSpiral(seed: 1);
        AssertSame("OnnxSpiral", net.Parameters, OnnxSpiral.Tensors, OnnxSpiral.Layers, OnnxSpiral.InputSize, OnnxSpiral.OutputSize, net.Forward);
    }

    [Fact]
    public void EveryActivationAndMaxoutMatchForward()
    {
        var net = new OnnxMixed(seed: 2);
        AssertSame("OnnxMixed", net.Parameters, OnnxMixed.Tensors, OnnxMixed.Layers, OnnxMixed.InputSize, OnnxMixed.OutputSize, net.Forward);
    }

    [Fact]
    public void Mnist784MatchesForward()
    {
        var net = new OnnxMnist(seed: 3);
        AssertSame("OnnxMnist", net.Parameters, OnnxMnist.Tensors, OnnxMnist.Layers, OnnxMnist.InputSize, OnnxMnist.OutputSize, net.Forward);
    }

    private static void AssertSame(
        string name, float[] parameters, System.Collections.Generic.IReadOnlyList<TensorInfo> tensors,
        System.Collections.Generic.IReadOnlyList<LayerInfo> layers, int inputs, int outputs, ForwardBatch forward)
    {
        var model = OnnxExporter.ToBytes<float>(parameters, tensors, layers, name);
        const int Batch = 7;
        var rng = new Rng(5);
        var x = Enumerable.Range(0, Batch * inputs).Select(_ => (float)rng.NextGaussian()).ToArray();
        var expected = new float[Batch * outputs];
        forward(x, expected, Batch);

        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { Batch, inputs })) });
        var actual = results.Single(r => r.Name == "scores").AsTensor<float>().ToArray();

        // Relative to the sample's largest score: a score near 0 is a sum that cancelled, and the two libraries
        // add in different orders, so its own relative error says nothing about either.
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var row = expected.AsSpan(i / outputs * outputs, outputs).ToArray();
            var scale = Math.Max(row.Max(Math.Abs), 1e-6f);
            var error = Math.Abs(expected[i] - actual[i]) / scale;
            Assert.True(error < 1e-5, $"score {i}: Forward {expected[i]}, ONNX Runtime {actual[i]}, error {error:E2} of the row's largest score {scale}");
        }
    }
}
