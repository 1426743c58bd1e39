using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace Nn.Onnx.Tests;

/// <summary>
/// A Fashion-MNIST MLP trained in PyTorch (samples/PyTorch/train_fashion.py, run once for this class) predicts, loaded into the
/// declared network from its ONNX export or from its state_dict, PyTorch's classes on all 10,000 test images with scores within 1e-5 of PyTorch's.
/// </summary>
public sealed class PyTorchFashionTests : IClassFixture<PyTorchFashionTests.TrainedInPyTorch>
{
    private readonly TrainedInPyTorch _trained;

    public PyTorchFashionTests(TrainedInPyTorch trained) => _trained = trained;

    [Fact]
    public void OnnxExportPredictsPyTorchsClassesOnTheTestSet()
    {
        var net = new TorchFashion();
        OnnxImporter.Load<float>(Path.Combine(_trained.Folder, "fashion-torch.onnx"), net.Parameters, TorchFashion.Tensors, TorchFashion.Layers, TorchFashion.Architecture);
        _trained.AssertSameAsPyTorch(net.Forward);
    }

    [Fact]
    public void StateDictPredictsPyTorchsClassesOnTheTestSet()
    {
        var net = new TorchFashion();
        net.Load(Path.Combine(_trained.Folder, "fashion-torch.safetensors"));
        _trained.AssertSameAsPyTorch(net.Forward);

        using var stream = File.OpenRead(Path.Combine(_trained.Folder, "fashion-torch.safetensors"));
        var fromStream = new TorchFashion(seed: 3);
        fromStream.Load(stream);
        Assert.Equal(net.Parameters, fromStream.Parameters);
    }

    [Fact]
    public void AWrongDeclarationIsShownTheOneThatMatches()
    {
        var path = Path.Combine(_trained.Folder, "fashion-torch.onnx");
        Assert.Equal("[Input(1, 28, 28)] [Affine(100), ReLU] [Affine(10)]", OnnxImporter.Describe(path));
        var net = new TorchFashionWrong();
        var e = Assert.Throws<InvalidDataException>(
            () => OnnxImporter.Load<float>(path, net.Parameters, TorchFashionWrong.Tensors, TorchFashionWrong.Layers, TorchFashionWrong.Architecture));
        Assert.Contains(
            "node '/1/Gemm' (Gemm) is Affine(100) [784 → 100], where the declaration expects Affine(128) [784 → 128] (step 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the file matches: [Input(1, 28, 28)] [Affine(100), ReLU] [Affine(10), Softmax]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the training script once into a temporary folder, and holds the test images and PyTorch's scores.</summary>
    public sealed class TrainedInPyTorch : IDisposable
    {
        private const string Data = "/usr/share/datasets/fashion-mnist";

        public TrainedInPyTorch()
        {
            Folder = Path.Combine(Path.GetTempPath(), "nn-pytorch-" + Guid.NewGuid().ToString("N"));
            var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "PyTorch", "train_fashion.py"));
            Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing: install Debian's python3-torch and python3-numpy (.ci/run does).");
            Assert.True(File.Exists(Path.Combine(Data, "t10k-images-idx3-ubyte.gz")), "Fashion-MNIST is missing: install dataset-fashion-mnist (.ci/run does).");
            var start = new ProcessStartInfo("/usr/bin/python3", new[] { script, Folder, "2", Data }) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var python = Process.Start(start)!;
            var stderr = python.StandardError.ReadToEndAsync();
            var stdout = python.StandardOutput.ReadToEnd();
            Assert.True(python.WaitForExit(TimeSpan.FromMinutes(8)), "train_fashion.py did not finish in 8 minutes");
            Assert.True(python.ExitCode == 0, $"train_fashion.py failed (install python3-torch and python3-numpy):\n{stdout}\n{stderr.Result}");

            Images = Idx.ReadImages(Path.Combine(Data, "t10k-images-idx3-ubyte.gz")).Pixels;
            Scores = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Folder, "fashion-torch-scores.bin"))).ToArray();
            Assert.Equal(10_000 * 10, Scores.Length);
        }

        public string Folder { get; }

        public float[] Images { get; }

        public float[] Scores { get; }

        public void AssertSameAsPyTorch(ForwardBatch forward)
        {
            var scores = new float[Scores.Length];
            forward(Images, scores, 10_000);
            Onnx.Tests.Scores.AssertSame(Scores, scores, "PyTorch", "Nn");
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
