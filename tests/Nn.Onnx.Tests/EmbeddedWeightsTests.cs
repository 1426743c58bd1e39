using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Onnx.Tests;

/// <summary>
/// The PyTorch-trained model kept in samples/models, loaded three ways (embedded at compile time by [Weights], its state_dict
/// loaded at run time, its ONNX export), gives PyTorch's classes on all 10,000 Fashion-MNIST test images and scores within
/// 1e-5 of PyTorch's (samples/PyTorch/score_fashion.py scores the same file with PyTorch), and ONNX Runtime's on the same
/// .onnx file within 1e-5 relative to the score's size.
/// </summary>
public sealed class EmbeddedWeightsTests : IClassFixture<EmbeddedWeightsTests.ScoredInPyTorch>
{
    private static readonly string Models = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "models"));
    private readonly ScoredInPyTorch _pytorch;

    public EmbeddedWeightsTests(ScoredInPyTorch pytorch) => _pytorch = pytorch;

    [Fact]
    public void EmbeddedWeightsGivePyTorchsPredictions()
    {
        var net = new EmbeddedFashion();
        Assert.Equal("Nn.Weights/../../samples/models/fashion-torch.safetensors", EmbeddedFashion.WeightsResource);
        Assert.Contains(EmbeddedFashion.WeightsResource, typeof(EmbeddedFashion).Assembly.GetManifestResourceNames());
        Scores.AssertSame(_pytorch.Scores, Run(net.Forward), "PyTorch", "the embedded network");

        // the seed constructor gives other weights; LoadEmbeddedWeights restores the embedded ones bit for bit
        var fresh = new EmbeddedFashion(seed: 5);
        Assert.NotEqual(net.Parameters, fresh.Parameters);
        fresh.LoadEmbeddedWeights();
        Assert.Equal(net.Parameters, fresh.Parameters);
    }

    [Fact]
    public void TheStateDictLoadedAtRunTimeEqualsTheEmbeddedWeights()
    {
        var loaded = new EmbeddedFashion(seed: 1);
        loaded.Load(Path.Combine(Models, "fashion-torch.safetensors"));
        Assert.Equal(new EmbeddedFashion().Parameters, loaded.Parameters);
        Scores.AssertSame(_pytorch.Scores, Run(loaded.Forward), "PyTorch", "the loaded state_dict");
    }

    [Fact]
    public void TheOnnxExportGivesPyTorchsAndOnnxRuntimesPredictions()
    {
        var path = Path.Combine(Models, "fashion-torch.onnx");
        var net = new EmbeddedFashion(seed: 2);
        net.LoadOnnx(path);
        var ours = Run(net.Forward);
        Scores.AssertSame(_pytorch.Scores, ours, "PyTorch", "the ONNX export in Nn");

        // ONNX Runtime sums in its own order: on these logits (up to about 20 in size) it differs from PyTorch by as much as
        // Nn does, in the 7th significant digit, so the comparison with it is relative: within 1e-5 of max(1, |score|).
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(_pytorch.Images, new[] { 10_000, 1, 28, 28 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", input) });
        Scores.AssertSame(results.Single().AsTensor<float>().ToArray(), ours, "ONNX Runtime", "Nn", relative: true);
    }

    private float[] Run(ForwardBatch forward)
    {
        var scores = new float[10_000 * 10];
        forward(_pytorch.Images, scores, 10_000);
        return scores;
    }

    /// <summary>PyTorch's scores for samples/models/fashion-torch.safetensors, computed once for this class, and the test images.</summary>
    public sealed class ScoredInPyTorch : IDisposable
    {
        private const string Data = "/usr/share/datasets/fashion-mnist";
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "nn-embedded-" + Guid.NewGuid().ToString("N"));

        public ScoredInPyTorch()
        {
            Directory.CreateDirectory(_folder);
            var script = Path.GetFullPath(Path.Combine(Models, "..", "PyTorch", "score_fashion.py"));
            var output = Path.Combine(_folder, "scores.bin");
            Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing: install Debian's python3-torch and python3-numpy (.ci/run does).");
            var start = new ProcessStartInfo("/usr/bin/python3", new[] { script, Path.Combine(Models, "fashion-torch.safetensors"), output, Data })
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var python = Process.Start(start)!;
            var stderr = python.StandardError.ReadToEndAsync();
            var stdout = python.StandardOutput.ReadToEnd();
            Assert.True(python.WaitForExit(TimeSpan.FromMinutes(3)), "score_fashion.py did not finish in 3 minutes");
            Assert.True(python.ExitCode == 0, $"score_fashion.py failed (install python3-torch and python3-numpy):\n{stdout}\n{stderr.Result}");
            Scores = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
            Images = Idx.ReadImages(Path.Combine(Data, "t10k-images-idx3-ubyte.gz")).Pixels;
            Assert.Equal(10_000 * 10, Scores.Length);
        }

        public float[] Scores { get; }

        public float[] Images { get; }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>samples/models' PyTorch MLP, embedded at compile time (the NnWeights item in Nn.Onnx.Tests.csproj).</summary>
[Weights("../../samples/models/fashion-torch.safetensors")]
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class EmbeddedFashion;
