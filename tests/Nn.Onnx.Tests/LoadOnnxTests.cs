using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Onnx.Tests;

/// <summary>
/// <c>net.LoadOnnx(path | stream | bytes)</c>, written once against <see cref="INetwork{T}"/>, loads what
/// <see cref="OnnxImporter"/> loads when given the class's own members, checks what it checks, and leaves the network as it was
/// when it refuses a file.
/// </summary>
public class LoadOnnxTests
{
    private static readonly string FashionOnnx = Repository("samples", "models", "fashion-torch.onnx");

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static TheoryData<string> MlpFiles => new() { "mlp-opset13.onnx", "mlp-opset17.onnx", "mlp-float16.onnx" };

    [Theory]
    [MemberData(nameof(MlpFiles))]
    public void AFloatNetworkGetsWhatOnnxImporterGives(string file)
    {
        var reference = new TorchMlp();
        OnnxImporter.Load<float>(Fixture(file), reference.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture);

        AssertEveryOverloadGives(reference, () => new TorchMlp(seed: 7), Fixture(file));
    }

    [Fact]
    public void ADoubleNetworkGetsWhatOnnxImporterGives()
    {
        var reference = new TorchMlpDouble();
        OnnxImporter.Load<double>(
            Fixture("mlp-opset17.onnx"), reference.Parameters, TorchMlpDouble.Tensors, TorchMlpDouble.Layers, TorchMlpDouble.Architecture);

        AssertEveryOverloadGives(reference, () => new TorchMlpDouble(seed: 7), Fixture("mlp-opset17.onnx"));

        // On the class itself, T inferred as double from its INetwork<double>.
        var direct = new TorchMlpDouble(seed: 7);
        direct.LoadOnnx(Fixture("mlp-opset17.onnx"));
        Assert.Equal(reference.Parameters, direct.Parameters);
    }

    [Theory]
    [InlineData("batchnorm-opset13.onnx")]
    [InlineData("batchnorm-opset17.onnx")]
    public void ABatchNormNetworkGetsItsRunningStatisticsIntoState(string file)
    {
        var reference = new TorchBatchNorm();
        OnnxImporter.Load<float>(
            Fixture(file), reference.Parameters, TorchBatchNorm.Tensors, reference.State, TorchBatchNorm.StateTensors, TorchBatchNorm.Layers,
            TorchBatchNorm.Architecture);
        Assert.True(reference.runningMean1.ToArray().Max(Math.Abs) > 0.5f, "runningMean1 was not loaded");

        AssertEveryOverloadGives(reference, () => new TorchBatchNorm(seed: 7), Fixture(file));
    }

    [Theory]
    [InlineData("matmul-opset13.onnx")]
    [InlineData("matmul-opset17.onnx")]
    public void MatMulAndAddLoadAsAnAffineLayer(string file)
    {
        var reference = new TorchMatMul();
        OnnxImporter.Load<float>(Fixture(file), reference.Parameters, TorchMatMul.Tensors, TorchMatMul.Layers, TorchMatMul.Architecture);

        AssertEveryOverloadGives(reference, () => new TorchMatMul(seed: 7), Fixture(file));
    }

    // samples/models/fashion-torch.onnx, PyTorch's 784-100-10 MLP: the same weights as its state_dict beside it, and ONNX
    // Runtime's scores and classes on 1,000 Fashion-MNIST test images.
    [Fact]
    public void TheFashionModelLoadsAndPredictsAsOnnxRuntime()
    {
        var reference = new TorchFashion();
        OnnxImporter.Load<float>(FashionOnnx, reference.Parameters, TorchFashion.Tensors, TorchFashion.Layers, TorchFashion.Architecture);
        AssertEveryOverloadGives(reference, () => new TorchFashion(seed: 7), FashionOnnx);

        var net = new TorchFashion(seed: 7);
        net.LoadOnnx(FashionOnnx);
        var stateDict = new TorchFashion(seed: 9);
        stateDict.Load(Repository("samples", "models", "fashion-torch.safetensors"));
        Assert.Equal(stateDict.Parameters, net.Parameters);

        const int n = 1000;
        var x = Idx.ReadImages("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").Pixels.AsSpan(0, n * 784).ToArray();
        var scores = new float[n * 10];
        net.Forward(x, scores, n);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(FashionOnnx, options);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { n, 1, 28, 28 })) });
        var expected = results.Single().AsTensor<float>().ToArray();
        for (var i = 0; i < n; i++)
        {
            var row = expected.AsSpan(i * 10, 10);
            var ours = scores.AsSpan(i * 10, 10);
            Assert.Equal(Scores.ArgMax(row), Scores.ArgMax(ours));
            for (var j = 0; j < 10; j++)
            {
                Assert.True(Math.Abs(row[j] - ours[j]) <= 1e-5 * Math.Max(1, Math.Abs(row[j])), $"image {i}, class {j}: ONNX Runtime {row[j]}, Nn {ours[j]}");
            }
        }
    }

    [Fact]
    public void AWrongDeclarationNamesTheNodeAndTheMatchingOneAndChangesNothing()
    {
        var net = new TorchFashionWrong(seed: 3);
        var before = net.Parameters.ToArray();
        var bytes = File.ReadAllBytes(FashionOnnx);
        var errors = new[]
        {
            Assert.Throws<InvalidDataException>(() => net.LoadOnnx(FashionOnnx)),
            Assert.Throws<InvalidDataException>(() =>
            {
                using var stream = new MemoryStream(bytes);
                net.LoadOnnx(stream);
            }),
            Assert.Throws<InvalidDataException>(() => net.LoadOnnx(bytes)),
        };

        foreach (var e in errors)
        {
            Assert.Contains(
                "node '/1/Gemm' (Gemm) is Affine(100) [784 → 100], where the declaration expects Affine(128) [784 → 128] (step 1)", e.Message, StringComparison.Ordinal);
            Assert.Contains("declared:         [Input(28, 28)] [Affine(128), ReLU] [Affine(10), Softmax]", e.Message, StringComparison.Ordinal);
            Assert.Contains("the file matches: [Input(1, 28, 28)] [Affine(100), ReLU] [Affine(10), Softmax]", e.Message, StringComparison.Ordinal);
        }

        Assert.Contains(FashionOnnx, errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("from the stream", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("from memory", errors[2].Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters);
    }

    // OnnxBatchNorm declares the first BatchNorm with PyTorch's default epsilon (1e-5); the fixture's is 1e-3.
    [Fact]
    public void AWrongBatchNormEpsilonChangesNeitherParametersNorState()
    {
        var net = new OnnxBatchNorm(seed: 3);
        net.State.AsSpan().Fill(0.25f);
        var parameters = net.Parameters.ToArray();
        var state = net.State.ToArray();

        var e = Assert.Throws<InvalidDataException>(() => net.LoadOnnx(Fixture("batchnorm-opset17.onnx")));

        Assert.Contains("where the declaration expects BatchNorm(Epsilon = 1E-05) of 16 (step 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the file matches: [Input(6)] [Affine(16), BatchNorm(Epsilon = 0.001), Tanh]", e.Message, StringComparison.Ordinal);
        Assert.Equal(parameters, net.Parameters);
        Assert.Equal(state, net.State);
    }

    // A network whose State is too short for its StateTensors fails on the last tensor, after every parameter tensor has been
    // read and converted: the parameters must still be the ones it had (nothing is written until everything is checked).
    [Fact]
    public void AFailureAfterTheParametersWereReadWritesNothing()
    {
        var inner = new TorchBatchNorm(seed: 3);
        var net = new ShortState(inner);
        var before = inner.Parameters.ToArray();

        var e = Assert.Throws<ArgumentException>(() => net.LoadOnnx(Fixture("batchnorm-opset17.onnx")));

        Assert.Contains("runningVar1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, inner.Parameters);
        Assert.All(net.State, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void NullArgumentsAreRefused()
    {
        INetwork<float>? none = null;
        Assert.Throws<ArgumentNullException>(() => none!.LoadOnnx(FashionOnnx));
        Assert.Throws<ArgumentNullException>(() => none!.LoadOnnx(Stream.Null));
        Assert.Throws<ArgumentNullException>(() => none!.LoadOnnx(ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentNullException>(() => new TorchFashion().LoadOnnx((string)null!));
        Assert.Throws<ArgumentNullException>(() => new TorchFashion().LoadOnnx((Stream)null!));
    }

    // LoadOnnx from a path, a stream that hands out a few bytes per read, and bytes: the reference's parameters, state and
    // scores exactly, into networks that started with other weights.
    private static void AssertEveryOverloadGives<T>(INetwork<T> reference, Func<INetwork<T>> create, string path)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var bytes = File.ReadAllBytes(path);
        var loaded = new List<INetwork<T>>();
        var byPath = create();
        Assert.NotEqual(reference.Parameters, byPath.Parameters);
        byPath.LoadOnnx(path);
        loaded.Add(byPath);
        var byStream = create();
        using (var stream = new TrickleStream(bytes))
        {
            byStream.LoadOnnx(stream);
        }

        loaded.Add(byStream);
        var byBytes = create();
        byBytes.LoadOnnx(bytes.AsSpan());
        loaded.Add(byBytes);

        var x = Enumerable.Range(0, 5 * reference.InputSize).Select(i => T.CreateChecked((i * 37 % 101) / 101.0)).ToArray();
        var expected = new T[5 * reference.OutputSize];
        reference.Forward(x, expected, 5);
        foreach (var net in loaded)
        {
            Assert.Equal(reference.Parameters, net.Parameters);
            Assert.Equal(reference.State, net.State);
            var scores = new T[expected.Length];
            net.Forward(x, scores, 5);
            Assert.Equal(expected, scores);
        }
    }

    private static string Repository(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Nn.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine(new[] { directory!.FullName }.Concat(parts).ToArray());
    }

    /// <summary>TorchBatchNorm with a State one value too short for its last state tensor.</summary>
    private sealed class ShortState(TorchBatchNorm inner) : INetwork<float>
    {
        public float[] Parameters => inner.Parameters;
        public float[] State { get; } = new float[TorchBatchNorm.StateCount - 1];
        public int InputSize => TorchBatchNorm.InputSize;
        public int OutputSize => TorchBatchNorm.OutputSize;
        public string Architecture => TorchBatchNorm.Architecture;
        public IReadOnlyList<TensorInfo> Tensors => TorchBatchNorm.Tensors;
        public IReadOnlyList<TensorInfo> StateTensors => TorchBatchNorm.StateTensors;
        public IReadOnlyList<LayerInfo> Layers => TorchBatchNorm.Layers;
        public void Forward(ReadOnlySpan<float> x, Span<float> scores) => throw new NotSupportedException();
        public void Forward(ReadOnlySpan<float> x, Span<float> scores, int batch) => throw new NotSupportedException();
        public void Load(string path, WeightsOptions? options = null) => throw new NotSupportedException();
        public void Load(Stream stream, WeightsOptions? options = null) => throw new NotSupportedException();
        public void Load(ReadOnlySpan<byte> bytes, WeightsOptions? options = null) => throw new NotSupportedException();
        public void Save(string path) => throw new NotSupportedException();
        public void Save(string path, WeightsLayout layout) => throw new NotSupportedException();
    }

    /// <summary>A stream that cannot seek and hands out at most 997 bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 997), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
