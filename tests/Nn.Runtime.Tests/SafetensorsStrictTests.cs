using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Nn.Runtime.Tests;

/// <summary>
/// Files the safetensors specification forbids are refused, from a path, a seekable stream, a non-seekable stream and bytes in
/// memory alike, with an InvalidDataException naming what was expected and what came (and the path for files), before anything
/// is written to the network.
/// </summary>
public sealed class SafetensorsStrictTests : IDisposable
{
    private static readonly TensorInfo[] Tensors = { new("W", 0, new[] { 4, 8 }), new("b", 32, new[] { 8 }) };
    private const string Architecture = "test";
    private const string W = "\"W\":{\"dtype\":\"F32\",\"shape\":[4,8],\"data_offsets\":[0,128]}";
    private const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[128,160]}";
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-strict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, int, string> Forbidden => new()
    {
        // name, header, data bytes, what the message must say
        { "duplicate name", "{" + W + "," + B + "," + B + "}", 160, "names 'b' twice, which the format forbids" },
        { "duplicate field", "{" + W + ",\"b\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[128,160]}}", 160, "tensor 'b' has 'dtype' twice" },
        { "overlap", "{" + W + ",\"b\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[96,128]}}", 160,
            "tensors 'W' (data_offsets [0, 128]) and 'b' ([96, 128]) overlap, which the format forbids" },
        { "gap", "{" + W + ",\"b\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[136,168]}}", 168,
            "bytes 128 to 136 of the data, before tensor 'b', belong to no tensor (a gap" },
        { "begin after end", "{" + W + ",\"b\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[160,128]}}", 160, "data_offsets [160, 128]: it begins after it ends" },
        { "offsets beyond the data", "{" + W + "," + B + "}", 150, "its tensors span 160 data bytes but only 150 are within the" },
        { "trailing bytes", "{" + W + "," + B + "}", 170, "(trailing bytes, which the format forbids" },
        { "number in metadata", "{" + W + "," + B + ",\"__metadata__\":{\"epochs\":3}}", 160, "__metadata__ value 'epochs' is a JSON Number, but the format allows only strings" },
        { "metadata not an object", "{" + W + "," + B + ",\"__metadata__\":\"x\"}", 160, "its __metadata__ is a JSON String" },
        { "not an object first", "[" + W + "]", 160, "its header starts with byte 0x5b, but the format requires '{'" },
        { "space first", " {" + W + "," + B + "}", 160, "its header starts with byte 0x20" },
        { "unknown dtype", "{" + W.Replace("F32", "F31") + "," + B + "}", 160, "tensor 'W' has dtype 'F31', which is not a safetensors dtype" },
        { "size not shape times dtype", "{" + W.Replace("[0,128]", "[0,100]") + "," + B.Replace("[128,160]", "[100,132]") + "}", 132,
            "tensor 'W' is F32 [4, 8], 128 bytes, but its data_offsets [0, 100] hold 100 bytes" },
        { "negative dimension", "{" + W.Replace("[4,8]", "[-4,8]") + "," + B + "}", 160, "tensor 'W' has a negative shape entry (-4)" },
        { "fractional dimension", "{" + W.Replace("[4,8]", "[4.5,8]") + "," + B + "}", 160, "tensor 'W' has a shape entry that is not an integer (4.5)" },
        { "64-bit overflow", "{" + W.Replace("[4,8]", "[4294967296,4294967296,8]") + "," + B + "}", 160,
            "tensor 'W' is F32 [4294967296, 4294967296, 8], whose size in bytes does not fit in 64 bits" },
        { "three offsets", "{" + W.Replace("[0,128]", "[0,64,128]") + "," + B + "}", 160, "tensor 'W' has 3 data_offsets, expected 2" },
        { "missing shape", "{\"W\":{\"dtype\":\"F32\",\"data_offsets\":[0,128]}," + B + "}", 160, "tensor 'W' has no shape" },
        { "dtype of another network", "{" + W.Replace("F32", "F16").Replace("[0,128]", "[0,64]") + "," + B.Replace("[128,160]", "[64,96]") + "}", 96,
            "tensor 'W' has dtype F16, expected F32" },
        { "extra tensor", "{" + W + "," + B + ",\"c\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[160,160]}}", 160, "a tensor 'c' this network does not have" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void ForbiddenFileIsRefusedFromEverySource(string name, string header, int dataBytes, string expected)
    {
        var file = File(Encoding.UTF8.GetBytes(header), dataBytes);
        foreach (var (source, message) in Refusals(file))
        {
            Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{name}, from {source}: expected a message with «{expected}», got «{message}»");
        }
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsRefused()
    {
        var header = Encoding.UTF8.GetBytes("{" + W + "," + B + ",\"__metadata__\":{\"x\":\"ab\"}}").ToList();
        var at = header.IndexOf((byte)'a');
        header[at] = 0xff;
        foreach (var (source, message) in Refusals(File(header.ToArray(), 160)))
        {
            Assert.True(message.Contains($"its header is not valid UTF-8 (from byte {8 + at} of the file)", StringComparison.Ordinal), $"{source}: {message}");
        }
    }

    [Fact]
    public void AbsurdHeaderLengthsAreRefusedBeforeAnythingIsAllocated()
    {
        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        foreach (var (source, message) in Refusals(huge))
        {
            Assert.True(message.Contains("its header length is 1099511627776 bytes, more than the 1056768 bytes a header for this network's 2 tensors can need",
                StringComparison.Ordinal), $"{source}: {message}");
        }

        var longer = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(longer, 1000);
        var messages = Refusals(longer).ToDictionary(r => r.Source, r => r.Message);
        Assert.Contains("its header length is 1000 bytes but the file has 8 bytes after it (truncated", messages["path"]);
        Assert.Contains("it ended after 8 of its 1000-byte header (truncated", messages["non-seekable stream"]);
    }

    [Fact]
    public void ValidFileLoadsTheSameFromEverySource()
    {
        var values = Enumerable.Range(0, 40).Select(i => i * 0.25f - 3).ToArray();
        var header = Encoding.UTF8.GetBytes("{" + B + "," + W + ",\"__metadata__\":{\"format\":\"nn\"}}   ");
        var file = File(header, 0);
        file = file.Concat(values.SelectMany(BitConverter.GetBytes)).ToArray();
        var path = Path.Combine(_dir, "good.safetensors");
        System.IO.File.WriteAllBytes(path, file);

        var fromPath = new float[40];
        Safetensors.Load<float>(path, fromPath, Tensors, Architecture);
        var fromStream = new float[40];
        Safetensors.Load<float>(new NonSeekable(file), fromStream, Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null);
        var fromBytes = new float[40];
        Safetensors.Load<float>(file, fromBytes, Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null);
        Assert.Equal(values, fromPath);
        Assert.Equal(values, fromStream);
        Assert.Equal(values, fromBytes);
    }

    [Fact]
    public void EndlessStreamIsReadOnlyAsFarAsTheNetworkNeeds()
    {
        // A valid file followed by zeros that never end: the load reads the header, the 160 data bytes and one byte more.
        var file = File(Encoding.UTF8.GetBytes("{" + W + "," + B + "}"), 160);
        var stream = new Endless(file);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() =>
            Safetensors.Load<float>(stream, new float[40], Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal(file.Length + 1, stream.Served);
        Assert.Contains("The weights stream cannot be loaded: it goes on after the 8-byte length", e.Message);
        Assert.Contains("(trailing bytes, which the format forbids)", e.Message);
    }

    // Loads the file from each source; every one must refuse it and leave the buffer untouched.
    private IEnumerable<(string Source, string Message)> Refusals(byte[] file)
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        System.IO.File.WriteAllBytes(path, file);
        var sources = new (string Name, Action<float[]> Load)[]
        {
            ("path", p => Safetensors.Load<float>(path, p, Tensors, Architecture)),
            ("seekable stream", p => Safetensors.Load<float>(new MemoryStream(file), p, Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null)),
            ("non-seekable stream", p => Safetensors.Load<float>(new NonSeekable(file), p, Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null)),
            ("bytes", p => Safetensors.Load<float>(file, p, Tensors, default, Array.Empty<TensorInfo>(), Architecture, null, null)),
        };
        foreach (var (name, load) in sources)
        {
            var parameters = Enumerable.Repeat(7f, 40).ToArray();
            var e = Assert.Throws<InvalidDataException>(() => load(parameters));
            Assert.All(parameters, v => Assert.Equal(7f, v));
            if (name == "path")
            {
                Assert.Contains($"Weights file '{path}' cannot be loaded: ", e.Message);
            }

            yield return (name, e.Message);
        }
    }

    private static byte[] File(byte[] header, int dataBytes)
    {
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }

    // A stream that cannot seek or tell its length, as a network stream.
    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }

    // The given bytes, then zeros forever; counts what was read.
    private sealed class Endless(byte[] prefix) : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                buffer[offset + i] = Served + i < prefix.Length ? prefix[(int)(Served + i)] : (byte)0;
            }

            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
