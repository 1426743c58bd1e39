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

        // A directory where the temporary file would go makes the write fail before the rename.
        var blocker = Path.Combine(_dir, ".keep.safetensors." + Environment.ProcessId + ".tmp");
        Directory.CreateDirectory(blocker);
        Assert.ThrowsAny<Exception>(() => new SpiralNet(seed: 2).Save(path));
        Directory.Delete(blocker);
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
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
