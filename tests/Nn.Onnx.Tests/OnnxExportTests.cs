using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Onnx.Tests;

/// <summary>ONNX Runtime, fed the exported model, computes what the generated Forward computes.</summary>
public class OnnxExportTests
{
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

    [Fact]
    public void BatchNormAndDropoutMatchForwardWithTrainedRunningStatistics()
    {
        // Trained on inputs of mean 2 and standard deviation 3, so that the running statistics move far from 0 and 1.
        var net = new OnnxBatchNorm(seed: 4);
        var trainer = new OnnxBatchNorm.Trainer(net, maxBatch: 32, seed: 5);
        var rng = new Rng(6);
        var x = Enumerable.Range(0, 32 * OnnxBatchNorm.InputSize).Select(_ => (float)(2 + (3 * rng.NextGaussian()))).ToArray();
        var y = Enumerable.Range(0, 32).Select(_ => rng.NextInt(OnnxBatchNorm.OutputSize)).ToArray();
        for (var i = 0; i < 20; i++)
        {
            trainer.Loss(x, y, 1e-3f);
            trainer.Step(0.05f);
        }

        Assert.True(net.runningMean1.ToArray().Max(Math.Abs) > 0.5f, "runningMean1 has barely moved from 0");
        Assert.True(net.runningVar1.ToArray().Max(v => Math.Abs(v - 1)) > 0.5f, "runningVar1 has barely moved from 1");

        var model = OnnxExporter.ToBytes<float>(
            net.Parameters, OnnxBatchNorm.Tensors, net.State, OnnxBatchNorm.StateTensors, OnnxBatchNorm.Layers, nameof(OnnxBatchNorm));
        AssertSame(model, OnnxBatchNorm.InputSize, OnnxBatchNorm.OutputSize, net.Forward);
        var text = Encoding.ASCII.GetString(model);
        Assert.Contains("BatchNormalization", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Dropout", text, StringComparison.Ordinal);

        // Export writes the same bytes to a file.
        var path = Path.Combine(Path.GetTempPath(), "nn-onnx-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            OnnxExporter.Export<float>(
                path, net.Parameters, OnnxBatchNorm.Tensors, net.State, OnnxBatchNorm.StateTensors, OnnxBatchNorm.Layers, nameof(OnnxBatchNorm));
            Assert.Equal(model, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BatchNormWithoutTheStateIsRejected()
    {
        var net = new OnnxBatchNorm(seed: 7);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes<float>(net.Parameters, OnnxBatchNorm.Tensors, OnnxBatchNorm.Layers, "n"));
        Assert.Contains("Layer 1 reads tensor 'runningMean1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("pass its State and StateTensors", e.Message, StringComparison.Ordinal);

        // A name in both lists would make two initializers of one name.
        var clash = new[] { new TensorInfo("W1", 0, new[] { 1 }) };
        e = Assert.Throws<ArgumentException>(
            () => OnnxExporter.ToBytes<float>(net.Parameters, OnnxBatchNorm.Tensors, net.State, clash, OnnxBatchNorm.Layers, "n"));
        Assert.Contains("Tensor 'W1' is named twice", e.Message, StringComparison.Ordinal);
    }

    private static void AssertSame(
        string name, float[] parameters, System.Collections.Generic.IReadOnlyList<TensorInfo> tensors,
        System.Collections.Generic.IReadOnlyList<LayerInfo> layers, int inputs, int outputs, ForwardBatch forward)
    {
        AssertSame(OnnxExporter.ToBytes<float>(parameters, tensors, layers, name), inputs, outputs, forward);
    }

    private static void AssertSame(byte[] model, int inputs, int outputs, ForwardBatch forward)
    {
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
