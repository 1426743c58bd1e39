using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Onnx.Tests;

/// <summary>
/// Models exported by torch.onnx.export (Fixtures/make_fixtures.py, PyTorch 1.13, opsets 13 and 17) load into the declared networks
/// and compute PyTorch's outputs and ONNX Runtime's; a file that is not the declaration, or not a model at all, is refused
/// before anything is written.
/// </summary>
public class OnnxImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Theory]
    [InlineData("mlp-opset13.onnx")]
    [InlineData("mlp-opset17.onnx")]
    public void PyTorchMlpGivesPyTorchsProbabilities(string file)
    {
        var net = new TorchMlp();
        OnnxImporter.Load<float>(Fixture(file), net.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture);
        var (x, y) = Expected("mlp");
        var p = new float[y.Length];
        net.Probabilities(x, p, y.Length / TorchMlp.OutputSize);
        AssertClose(y, p, TorchMlp.OutputSize, "PyTorch");
        AssertMatchesOnnxRuntime(Fixture(file), x, new[] { 3, 4 }, p, TorchMlp.OutputSize);
    }

    [Fact]
    public void DoubleNetworkGetsTheSameWeightsWidened()
    {
        var single = new TorchMlp();
        var wide = new TorchMlpDouble();
        OnnxImporter.Load<float>(Fixture("mlp-opset17.onnx"), single.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture);
        OnnxImporter.Load<double>(
            Fixture("mlp-opset17.onnx"), wide.Parameters, TorchMlpDouble.Tensors, TorchMlpDouble.Layers, TorchMlpDouble.Architecture);
        Assert.Equal(single.Parameters.Select(v => (double)v), wide.Parameters);
        var (x, y) = Expected("mlp");
        var p = new double[y.Length];
        wide.Probabilities(x.Select(v => (double)v).ToArray(), p, y.Length / 3);
        AssertClose(y, p.Select(v => (float)v).ToArray(), 3, "PyTorch");
    }

    [Fact]
    public void Float16WeightsAreTheFloatWeightsRounded()
    {
        var reference = new TorchMlp();
        var half = new TorchMlp();
        OnnxImporter.Load<float>(Fixture("mlp-opset17.onnx"), reference.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture);
        OnnxImporter.Load<float>(Fixture("mlp-float16.onnx"), half.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture);
        Assert.Equal(reference.Parameters.Select(v => (float)(Half)v), half.Parameters);
        Assert.NotEqual(reference.Parameters, half.Parameters);
    }

    [Theory]
    [InlineData("batchnorm-opset13.onnx")]
    [InlineData("batchnorm-opset17.onnx")]
    public void BatchNormRunningStatisticsGoIntoTheState(string file)
    {
        var net = new TorchBatchNorm();
        OnnxImporter.Load<float>(
            Fixture(file), net.Parameters, TorchBatchNorm.Tensors, net.State, TorchBatchNorm.StateTensors, TorchBatchNorm.Layers,
            TorchBatchNorm.Architecture);
        Assert.True(net.runningMean1.ToArray().Max(Math.Abs) > 0.5f, "runningMean1 was not loaded");
        var (x, y) = Expected("batchnorm");
        var scores = new float[y.Length];
        net.Forward(x, scores, y.Length / 2);
        AssertClose(y, scores, 2, "PyTorch");
        AssertMatchesOnnxRuntime(Fixture(file), x, new[] { 6 }, scores, 2);
    }

    [Theory]
    [InlineData("matmul-opset13.onnx")]
    [InlineData("matmul-opset17.onnx")]
    public void MatMulFollowedByAddIsAnAffineLayer(string file)
    {
        var net = new TorchMatMul();
        OnnxImporter.Load<float>(Fixture(file), net.Parameters, TorchMatMul.Tensors, TorchMatMul.Layers, TorchMatMul.Architecture);
        var (x, y) = Expected("matmul");
        var scores = new float[y.Length];
        net.Forward(x, scores, y.Length / 3);
        AssertClose(y, scores, 3, "PyTorch");
    }

    [Fact]
    public void StreamMemoryAndPathGiveTheSameNetwork()
    {
        var path = Fixture("batchnorm-opset17.onnx");
        var byPath = new TorchBatchNorm();
        OnnxImporter.Load<float>(path, byPath.Parameters, TorchBatchNorm.Tensors, byPath.State, TorchBatchNorm.StateTensors, TorchBatchNorm.Layers, TorchBatchNorm.Architecture);

        var byStream = new TorchBatchNorm();
        using (var stream = new NonSeekableStream(File.ReadAllBytes(path)))
        {
            OnnxImporter.Load<float>(
                stream, byStream.Parameters, TorchBatchNorm.Tensors, byStream.State, TorchBatchNorm.StateTensors, TorchBatchNorm.Layers,
                TorchBatchNorm.Architecture);
        }

        var byMemory = new TorchBatchNorm();
        OnnxImporter.Load<float>(
            File.ReadAllBytes(path).AsSpan(), byMemory.Parameters, TorchBatchNorm.Tensors, byMemory.State, TorchBatchNorm.StateTensors,
            TorchBatchNorm.Layers, TorchBatchNorm.Architecture);
        Assert.Equal(byPath.Parameters, byStream.Parameters);
        Assert.Equal(byPath.State, byStream.State);
        Assert.Equal(byPath.Parameters, byMemory.Parameters);
        Assert.Equal(byPath.State, byMemory.State);
    }

    [Fact]
    public void AWrongWidthNamesTheNodeAndPrintsTheMatchingDeclaration()
    {
        var net = new TorchMlpWrongWidth(seed: 3);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
            Fixture("mlp-opset17.onnx"), net.Parameters, TorchMlpWrongWidth.Tensors, TorchMlpWrongWidth.Layers, TorchMlpWrongWidth.Architecture));
        Assert.Contains("does not match the declaration", e.Message, StringComparison.Ordinal);
        Assert.Contains("(Gemm) is Affine(8) [12 → 8], where the declaration expects Affine(9) [12 → 9] (step 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the file matches: [Input(3, 4)] [Affine(8), ReLU] [Affine(5), LeakyReLU(0.1)] [Affine(3), Softmax]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters);
    }

    [Fact]
    public void AWrongLeakyReluSlopeIsAMismatch()
    {
        var net = new TorchMlpWrongSlope();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
            Fixture("mlp-opset13.onnx"), net.Parameters, TorchMlpWrongSlope.Tensors, TorchMlpWrongSlope.Layers, TorchMlpWrongSlope.Architecture));
        Assert.Contains("(LeakyRelu) is LeakyReLU(0.1), where the declaration expects LeakyReLU(0.2) (step 4)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithOneLayerMoreOrLessIsAMismatch()
    {
        var net = new TorchMatMul();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
            Fixture("mlp-opset17.onnx"), net.Parameters, TorchMatMul.Tensors, TorchMatMul.Layers, TorchMatMul.Architecture));
        Assert.Contains("where the declaration expects Affine(7) [5 → 7] (step 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the file matches: [Input(3, 4)] [Affine(8), ReLU] [Affine(5), LeakyReLU(0.1)] [Affine(3), Softmax]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeGivesTheDeclarationOfAFile()
    {
        Assert.Equal("[Input(3, 4)] [Affine(8), ReLU] [Affine(5), LeakyReLU(0.1)] [Affine(3), Softmax]", OnnxImporter.Describe(Fixture("mlp-opset13.onnx")));
        Assert.Equal(
            "[Input(6)] [Affine(16), BatchNorm(Epsilon = 0.001), Tanh] [Affine(4), Sigmoid] [Affine(2)]",
            OnnxImporter.Describe(Fixture("batchnorm-opset17.onnx")));
        Assert.Equal("[Input(5)] [Affine(7), ReLU] [Affine(3)]", OnnxImporter.Describe(Fixture("matmul-opset17.onnx")));
    }

    [Fact]
    public void NnsOwnExportLoadsBackBitForBit()
    {
        var source = new OnnxBatchNorm(seed: 11);
        var trainer = new OnnxBatchNorm.Trainer(source, maxBatch: 16, seed: 2);
        var rng = new Rng(3);
        var x = Enumerable.Range(0, 16 * OnnxBatchNorm.InputSize).Select(_ => (float)(1 + (2 * rng.NextGaussian()))).ToArray();
        var y = Enumerable.Range(0, 16).Select(_ => rng.NextInt(OnnxBatchNorm.OutputSize)).ToArray();
        for (var i = 0; i < 5; i++)
        {
            trainer.Loss(x, y, 1e-3f);
            trainer.Step(0.05f);
        }

        var model = OnnxExporter.ToBytes<float>(
            source.Parameters, OnnxBatchNorm.Tensors, source.State, OnnxBatchNorm.StateTensors, OnnxBatchNorm.Layers, nameof(OnnxBatchNorm));
        var copy = new OnnxBatchNorm(seed: 99);
        OnnxImporter.Load<float>(model, copy.Parameters, OnnxBatchNorm.Tensors, copy.State, OnnxBatchNorm.StateTensors, OnnxBatchNorm.Layers, OnnxBatchNorm.Architecture);
        Assert.Equal(source.Parameters, copy.Parameters);
        Assert.Equal(source.State, copy.State);
    }

    [Fact]
    public void MaxoutIsRefusedNamingTheNode()
    {
        var source = new OnnxMixed(seed: 1);
        var model = OnnxExporter.ToBytes<float>(source.Parameters, OnnxMixed.Tensors, OnnxMixed.Layers, nameof(OnnxMixed));
        var copy = new OnnxMixed(seed: 2);
        var before = copy.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
            model, copy.Parameters, OnnxMixed.Tensors, Span<float>.Empty, Array.Empty<TensorInfo>(), OnnxMixed.Layers, OnnxMixed.Architecture));
        Assert.Contains("node 'Maxout_5_reshape' (Reshape) is not supported: the importer reads Gemm, MatMul + Add", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, copy.Parameters);
    }

    [Fact]
    public void HostileFilesAreRefusedAndLeaveTheNetworkAsItWas()
    {
        var good = File.ReadAllBytes(Fixture("mlp-opset17.onnx"));
        var net = new TorchMlp(seed: 5);
        var before = net.Parameters.ToArray();
        var cases = new List<(string Name, byte[] Bytes, string Expected)>
        {
            ("truncated", good[..(good.Length / 2)], "cannot be loaded"),
            ("random", Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) ^ (i >> 3))).ToArray(), "cannot be loaded"),
            ("text", "{\"not\": \"onnx\"}"u8.ToArray(), "cannot be loaded"),
            ("empty", Array.Empty<byte>(), "empty"),
        };

        // One byte of the first weight tensor's raw data cut off: the tensor no longer holds its shape's values.
        foreach (var (name, bytes, expected) in cases)
        {
            var path = Path.Combine(Path.GetTempPath(), $"nn-onnx-{name}-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(path, bytes);
            try
            {
                var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(path, net.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture));
                Assert.Contains(expected, e.Message, StringComparison.Ordinal);
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }

            Assert.Equal(before, net.Parameters);
        }

        var directory = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
            Path.GetTempPath(), net.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture));
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => OnnxImporter.Load<float>(
            Fixture("missing.onnx"), net.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture));
    }

    [Fact]
    public void MutatedModelsLoadOrAreRefusedWithInvalidData()
    {
        // 3,000 mutants of the three PyTorch fixtures (bytes flipped, cut, repeated or varints widened): each either loads a
        // network that computes finite or non-finite numbers without crashing, or is refused with InvalidDataException; no other
        // exception, and a refused load leaves the network as it was.
        var seeds = new[] { "mlp-opset17.onnx", "batchnorm-opset13.onnx", "matmul-opset17.onnx" }.Select(f => File.ReadAllBytes(Fixture(f))).ToArray();
        var random = new Random(20261130);
        var net = new TorchBatchNorm(seed: 1);
        var mlp = new TorchMlp(seed: 1);
        var refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = Mutate(seeds[i % seeds.Length], random);
            var parameters = (mlp.Parameters.ToArray(), net.Parameters.ToArray(), net.State.ToArray());
            try
            {
                OnnxImporter.Load<float>(bytes, mlp.Parameters, TorchMlp.Tensors, Span<float>.Empty, Array.Empty<TensorInfo>(), TorchMlp.Layers, TorchMlp.Architecture);
            }
            catch (InvalidDataException)
            {
                refused++;
                Assert.Equal(parameters.Item1, mlp.Parameters);
            }

            try
            {
                OnnxImporter.Load<float>(bytes, net.Parameters, TorchBatchNorm.Tensors, net.State, TorchBatchNorm.StateTensors, TorchBatchNorm.Layers, TorchBatchNorm.Architecture);
            }
            catch (InvalidDataException)
            {
                Assert.Equal(parameters.Item2, net.Parameters);
                Assert.Equal(parameters.Item3, net.State);
            }
        }

        Assert.True(refused > 1000, $"only {refused} of 3000 mutants were refused: the mutations are too weak to test anything");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        for (var k = random.Next(1, 4); k > 0 && bytes.Count > 0; k--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 64), bytes.Count - at))); break;
                default: bytes.InsertRange(at, new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f }); break;
            }
        }

        return bytes.ToArray();
    }

    [Fact]
    public void AFileLargerThanTheNetworkCanNeedIsRefusedBeforeItIsRead()
    {
        var net = new TorchMlp();
        var limit = (8L * TorchMlp.ParameterCount) + (16L << 20);
        var path = Path.Combine(Path.GetTempPath(), $"nn-onnx-large-{Guid.NewGuid():N}.onnx");
        using (var file = File.Create(path))
        {
            file.SetLength(limit + 1);   // sparse: nothing is written, and nothing may be read
        }

        try
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(path, net.Parameters, TorchMlp.Tensors, TorchMlp.Layers, TorchMlp.Architecture));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20, "the refused file was read into memory");
            Assert.Contains("more than a model of this network can need", e.Message, StringComparison.Ordinal);

            using var stream = new NonSeekableStream(new byte[limit + 1]);
            e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load<float>(
                stream, net.Parameters, TorchMlp.Tensors, Span<float>.Empty, Array.Empty<TensorInfo>(), TorchMlp.Layers, TorchMlp.Architecture));
            Assert.Contains("more than a model of this network can need", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (float[] X, float[] Y) Expected(string name)
    {
        var x = new List<float>();
        var y = new List<float>();
        foreach (var line in File.ReadLines(Fixture(name + ".expected.txt")))
        {
            var values = line[2..].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture));
            (line[0] == 'x' ? x : y).AddRange(values);
        }

        return (x.ToArray(), y.ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual, int width, string peer)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var scale = Math.Max(expected.AsSpan(i / width * width, width).ToArray().Max(Math.Abs), 1f);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"value {i}: {peer} {expected[i]}, Nn {actual[i]}");
        }
    }

    private static void AssertMatchesOnnxRuntime(string path, float[] x, int[] sampleShape, float[] nn, int width)
    {
        var batch = x.Length / sampleShape.Aggregate(1, (a, b) => a * b);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { batch }.Concat(sampleShape).ToArray())) });
        AssertClose(results.Single().AsTensor<float>().ToArray(), nn, width, "ONNX Runtime");
    }

    /// <summary>A stream that cannot seek and hands out a few bytes per read, as a network socket does.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), bytes.Length - _position);
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
