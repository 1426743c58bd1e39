using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;

namespace Nn.EndToEnd.Tests;

/// <summary>safetensors round trips, a file written by "another tool", and every kind of bad file.</summary>
public sealed class WeightsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FloatAndDoubleNetworksRoundTrip()
    {
        var path = Path.Combine(_dir, "spiral.safetensors");
        var net = new SpiralNet(seed: 3);
        net.Save(path);
        var copy = new SpiralNet(seed: 99);
        copy.Load(path);
        Assert.Equal(net.Parameters, copy.Parameters);

        var deep = new CheckNet(seed: 4);
        deep.Save(path);   // over the existing file
        var deepCopy = new CheckNet(seed: 5);
        deepCopy.Load(path);
        Assert.Equal(deep.Parameters, deepCopy.Parameters);
        Assert.Equal(new[] { "spiral.safetensors" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ParametersAndStateRoundTrip()
    {
        // Trained a few steps, so that γ, β and the running statistics are no longer where Initialize put them.
        var (x, y) = (Enumerable.Range(0, 8 * 5).Select(i => Math.Sin(i * 0.7) * 2).ToArray(), new[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var net = new BatchNormDropoutCheckNet(seed: 3);
        var trainer = new BatchNormDropoutCheckNet.Trainer(net, maxBatch: 8, seed: 4);
        for (var i = 0; i < 4; i++)
        {
            trainer.Loss(x, y, 1e-3);
            trainer.Step(0.1);
        }

        var path = Path.Combine(_dir, "batchnorm.safetensors");
        net.Save(path);
        var copy = new BatchNormDropoutCheckNet(seed: 99);
        Assert.NotEqual(net.State, copy.State);
        copy.Load(path);
        Assert.Equal(net.Parameters, copy.Parameters);
        Assert.Equal(net.State, copy.State);
        double[] scores = new double[8 * 3], copyScores = new double[8 * 3];
        net.Forward(x, scores, batch: 8);
        copy.Forward(x, copyScores, batch: 8);
        Assert.Equal(scores, copyScores);
        net.Forward(x.AsSpan(0, 5), scores.AsSpan(0, 3));
        copy.Forward(x.AsSpan(0, 5), copyScores.AsSpan(0, 3));
        Assert.Equal(scores, copyScores);

        // Float, and a network wide enough for the per-thread workspace.
        var xf = Enumerable.Range(0, 4 * BatchNormDropoutNet.InputSize).Select(i => (float)Math.Cos(i * 0.3)).ToArray();
        var wide = new BatchNormDropoutNet(seed: 5);
        var wideTrainer = new BatchNormDropoutNet.Trainer(wide, maxBatch: 4, seed: 6);
        wideTrainer.Loss(xf, new[] { 1, 3, 5, 7 }, 1e-3f);
        wideTrainer.Step(0.1f);
        wide.Save(path);
        var wideCopy = new BatchNormDropoutNet(seed: 7);
        wideCopy.Load(path);
        Assert.Equal(wide.Parameters, wideCopy.Parameters);
        Assert.Equal(wide.State, wideCopy.State);
        float[] wideScores = new float[4 * 10], wideCopyScores = new float[4 * 10];
        wide.Forward(xf, wideScores, batch: 4);
        wideCopy.Forward(xf, wideCopyScores, batch: 4);
        Assert.Equal(wideScores, wideCopyScores);
    }

    [Fact]
    public void FileWithoutTheStateTensorsIsRejectedAndChangesNothing()
    {
        var saved = new BatchNormCheckNet(seed: 1);
        saved.runningMean1.Fill(0.5);
        var path = Path.Combine(_dir, "parameters-only.safetensors");
        var net = new BatchNormCheckNet(seed: 2);
        net.runningVar2.Fill(2);
        var parameters = (double[])net.Parameters.Clone();
        var state = (double[])net.State.Clone();

        // As written by a network that keeps no state: the same architecture and parameters, no running statistics.
        Safetensors.Save<double>(path, saved.Parameters, BatchNormCheckNet.Tensors, BatchNormCheckNet.Architecture);
        var e = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Contains("has no tensor 'runningMean1' (expected F64 [6])", e.Message);

        // Every state tensor but the last.
        var fewer = BatchNormCheckNet.StateTensors.Take(3).ToArray();
        Safetensors.Save<double>(path, saved.Parameters, BatchNormCheckNet.Tensors, saved.State.AsSpan(0, 16), fewer, BatchNormCheckNet.Architecture);
        e = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Contains("has no tensor 'runningVar2' (expected F64 [4])", e.Message);

        Assert.Equal(parameters, net.Parameters);
        Assert.Equal(state, net.State);
    }

    [Fact]
    public void AFlattenedInputDeclarationLoadsTheSameWeightsAndRefusesAnother()
    {
        var path = Path.Combine(_dir, "fashion.safetensors");
        var shaped = new FashionTestNet(seed: 4);
        shaped.Save(path);

        var flat = new FlatFashionTestNet(seed: 5);
        flat.Load(path);   // [Input(28, 28)] and [Input(784)] read the same 784 inputs through the same tensors
        Assert.Equal(shaped.Parameters, flat.Parameters);

        var other = new SvmFashionTestNet(seed: 6);
        var e = Assert.Throws<InvalidDataException>(() => other.Load(path));
        Assert.Contains("it was saved from '[Input(28, 28)] [Affine(100), ReLU] [Affine(10), Softmax]'", e.Message);
    }

    [Fact]
    public void FileWrittenIndependentlyLoads()
    {
        // Built here byte by byte, as another writer would: different key order, no metadata, no padding.
        var w1 = Enumerable.Range(0, 200).Select(i => i * 0.5f).ToArray();
        var b1 = Enumerable.Range(0, 100).Select(i => -i * 1f).ToArray();
        var w2 = Enumerable.Range(0, 300).Select(i => i * 0.25f).ToArray();
        var b2 = new[] { 1f, 2f, 3f };
        var header = "{\"b2\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[2400,2412]},"
            + "\"W2\":{\"dtype\":\"F32\",\"shape\":[100,3],\"data_offsets\":[1200,2400]},"
            + "\"W1\":{\"dtype\":\"F32\",\"shape\":[2,100],\"data_offsets\":[0,800]},"
            + "\"b1\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[800,1200]}}";
        var path = Path.Combine(_dir, "foreign.safetensors");
        System.IO.File.WriteAllBytes(path, File(header, w1.Concat(b1).Concat(w2).Concat(b2).SelectMany(BitConverter.GetBytes).ToArray()));

        var net = new SpiralNet();
        net.Load(path);
        Assert.Equal(w1, net.W1.ToArray());
        Assert.Equal(b1, net.b1.ToArray());
        Assert.Equal(w2, net.W2.ToArray());
        Assert.Equal(b2, net.b2.ToArray());
    }

    [Fact]
    public void BadFilesAreRejectedAndChangeNothing()
    {
        var good = Path.Combine(_dir, "good.safetensors");
        new SpiralNet(seed: 1).Save(good);
        var bytes = System.IO.File.ReadAllBytes(good);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        var data = bytes[(8 + headerLength)..];

        Assert.Contains("after it (truncated", Rejects(bytes[..(8 + (headerLength / 2))]));
        Assert.Contains("within the", Rejects(bytes[..(bytes.Length / 2)]));
        Assert.Contains("within the", Rejects(bytes[..^4]));
        Assert.Contains("shorter than the 8-byte header length", Rejects(bytes[..5]));
        Assert.Contains("not valid JSON", Rejects(File("{\"W1\": [", data)));
        Assert.Contains("or not a safetensors file", Rejects(Encoding.UTF8.GetBytes("PK\u0003\u0004 this is a zip file, not weights")));
        Assert.Contains("has no tensor 'b2' (expected F32 [3])", Rejects(File(header.Replace("\"b2\"", "\"b9\""), data)));
        Assert.Contains("tensor 'W1' has dtype F64, expected F32", Rejects(File(ReplaceFirst(header, "F32", "F64"), data)));
        Assert.Contains("tensor 'W1' has shape [100, 2], expected [2, 100]", Rejects(File(header.Replace("[2,100]", "[100,2]"), data)));
        Assert.Contains("this network does not have", Rejects(File(header.Replace("\"__metadata__\"", "\"extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"__metadata__\""), data)));
        Assert.Contains("saved from '[Input(2)] [Affine(100), Tanh]", Rejects(File(header.Replace("Affine(100), ReLU", "Affine(100), Tanh"), data)));
    }

    [Fact]
    public void FailedSaveKeepsThePreviousFile()
    {
        var path = Path.Combine(_dir, "keep.safetensors");
        var net = new SpiralNet(seed: 1);
        net.Save(path);
        var before = System.IO.File.ReadAllBytes(path);

        // A tensor list reaching past the parameters makes the write fail midway, after the temporary file was created.
        Assert.ThrowsAny<Exception>(() => Safetensors.Save<float>(path, new float[10], new[] { new TensorInfo("W1", 0, new[] { 2, 100 }) }, "x"));
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
        Assert.Equal(new[] { "keep.safetensors" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    private string Rejects(byte[] file)
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        System.IO.File.WriteAllBytes(path, file);
        var net = new SpiralNet(seed: 7);
        var before = (float[])net.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Equal(before, net.Parameters);
        return e.Message;
    }

    private static byte[] File(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        return length.Concat(json).Concat(data).ToArray();
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var i = text.IndexOf(from, StringComparison.Ordinal);
        return text[..i] + to + text[(i + from.Length)..];
    }
}
