using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using Nn.EndToEnd.Tests.Png;

namespace Nn.EndToEnd.Tests.Fuzz;

/// <summary>
/// Every file reader and the property it must hold for any bytes: it returns consistent data or throws an
/// <see cref="InvalidDataException"/> naming the path, and never anything else (OutOfMemory, IndexOutOfRange,
/// NullReference, Overflow...), never takes longer than <see cref="PerCase"/>, never allocates far more than the file
/// and the network can need. The fuzz tests and the regression replay both call <see cref="Check"/>.
/// </summary>
internal static class Readers
{
    /// <summary>The readers, by the name of their folder under Fuzz/Regressions, with the extension their files take.</summary>
    public static readonly IReadOnlyDictionary<string, string> Extensions = new Dictionary<string, string>
    {
        ["idx"] = ".idx",
        ["png"] = ".png",
        ["safetensors"] = ".safetensors",
    };

    /// <summary>The longest one case may take, on a busy 2-core machine; a hang fails here or at the run's watchdog.</summary>
    public static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    /// <summary>Checks reader <paramref name="reader"/>'s property on the file at <paramref name="path"/>.</summary>
    public static void Check(string reader, string path)
    {
        switch (reader)
        {
            case "idx":
                Idx(path);
                break;
            case "png":
                Png(path);
                break;
            case "safetensors":
                Safetensors(path);
                break;
            default:
                throw new ArgumentException($"no reader '{reader}'", nameof(reader));
        }
    }

    // IDX: the shape's product is the data's length, a plain file is exactly header + data, and images and labels read
    // from it agree. Memory: a plain file at most a few times its length; gzip at most what the data could inflate to.
    private static void Idx(string path)
    {
        var length = new FileInfo(path).Length;
        var gzip = length >= 2 && File.ReadAllBytes(path) is [0x1f, 0x8b, ..];
        var bound = gzip ? (16 * 1032 * length) + (8 << 20) : (16 * length) + (1 << 20);
        var (ok, (shape, data)) = Expect(path, () => Nn.Idx.Read(path), bound);
        if (!ok)
        {
            return;
        }

        long product = 1;
        foreach (var d in shape)
        {
            Xunit.Assert.True(d >= 0, $"dimension {d}");
            product *= d;
        }

        Xunit.Assert.Equal(product, data.Length);
        if (!gzip)
        {
            Xunit.Assert.Equal(length, 4 + (4L * shape.Length) + data.Length);
        }

        if (shape.Length == 3)
        {
            var (read, (pixels, count, features)) = Expect(path, () => Nn.Idx.ReadImages(path), bound + (4L * data.Length));
            Xunit.Assert.True(!read || (count == shape[0] && pixels.Length == (long)count * features && pixels.All(p => p is >= 0 and <= 1)));
        }
        else if (shape.Length == 1)
        {
            var (read, labels) = Expect(path, () => Nn.Idx.ReadLabels(path), bound + (4L * data.Length));
            Xunit.Assert.True(!read || labels.SequenceEqual(data.Select(b => (int)b)));
        }
    }

    // PNG (samples/Classify): width × height luminance values in [0, 1]. Memory: the file, and the picture the IDAT data can
    // inflate to (at most 1032 bytes a byte, 8 pixels a byte at 1 bit, 4 bytes a pixel), within the decoder's limit.
    private static void Png(string path)
    {
        var length = new FileInfo(path).Length;
        var bound = (4 * Math.Min(Classify.Png.MaxPixels, 8 * 1032 * length)) + (16 * length) + (1 << 20);
        var (ok, (luminance, width, height)) = Expect(path, () => Classify.Png.Read(path), bound);
        Xunit.Assert.True(!ok || (luminance.Length == (long)width * height && luminance.All(v => v is >= 0 and <= 1)));
    }

    // safetensors, through the public API of generated networks (Load) and Standardizer.Load: a failed load leaves the
    // network exactly as it was; a successful one round-trips through Save. Memory: a few times the file and the network.
    private static void Safetensors(string path)
    {
        var length = new FileInfo(path).Length;
        foreach (var network in Networks)
        {
            var net = network.Create();
            var before = net.Snapshot();
            var (ok, _) = Expect(path, () => { net.Load(path); return true; }, (8 * length) + (8L * before.Length) + (1 << 20));
            if (!ok)
            {
                Xunit.Assert.True(before.AsSpan().SequenceEqual(net.Snapshot()), $"a failed {network.Name}.Load changed the network");
                continue;
            }

            var copyPath = path + ".copy";
            net.Save(copyPath);
            var copy = network.Create();
            copy.Load(copyPath);
            Xunit.Assert.True(net.Snapshot().AsSpan().SequenceEqual(copy.Snapshot()), $"{network.Name}: what Load read does not round-trip through Save");
            File.Delete(copyPath);
        }

        var (read, standardizer) = Expect(path, () => Standardizer.Load(path, 3), (8 * length) + (1 << 20));
        Xunit.Assert.True(!read || (standardizer.Mean.Length == 3 && standardizer.Std.Length == 3));
    }

    /// <summary>A network the safetensors fuzzer loads into: a fresh seeded instance with its Load, Save and its values' bytes.</summary>
    internal sealed record Network(string Name, Func<Instance> Create);

    internal sealed record Instance(Action<string> Load, Action<string> Save, Func<byte[]> Snapshot);

    public static readonly Network[] Networks =
    [
        new("SpiralNet", () => { var n = new SpiralNet(seed: 7); return new(p => n.Load(p), p => n.Save(p), () => Bytes(n.Parameters)); }),
        new("CheckNet", () => { var n = new CheckNet(seed: 7); return new(p => n.Load(p), p => n.Save(p), () => Bytes(n.Parameters)); }),
        new("BatchNormCheckNetF", () =>
        {
            var n = new BatchNormCheckNetF(seed: 7);
            return new(p => n.Load(p), p => n.Save(p), () => [.. Bytes(n.Parameters), .. Bytes(n.State)]);
        }),
    ];

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    // Runs one read: its result, or (false, default) for an InvalidDataException naming the path. Any other exception
    // propagates and fails the property; so do too much memory and too much time.
    private static (bool Ok, T Value) Expect<T>(string path, Func<T> read, long allocationBound)
    {
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        (bool, T) result;
        try
        {
            result = (true, read());
        }
        catch (InvalidDataException e)
        {
            Xunit.Assert.True(e.Message.Contains(path, StringComparison.Ordinal), $"the message does not name the file: {e.Message}");
            result = (false, default!);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Xunit.Assert.True(allocated <= allocationBound, $"allocated {allocated} bytes reading a {new FileInfo(path).Length}-byte file; the bound is {allocationBound}");
        Xunit.Assert.True(clock.Elapsed < PerCase, $"took {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    // ── Seeds: valid files the fuzzer mutates ──

    /// <summary>Valid IDX files, raw (the fuzzer may gzip them after mutating).</summary>
    public static readonly byte[][] IdxSeeds =
    [
        IdxFile([5], 1),
        IdxFile([2, 3, 4], 2),
        IdxFile([3, 2, 2], 3),
        IdxFile([0, 28, 28], 4),
        IdxFile([1, 1, 1, 1], 5),
    ];

    private static byte[] IdxFile(int[] shape, int seed)
    {
        var random = new Random(seed);
        var data = new byte[shape.Aggregate(1, (a, b) => a * b)];
        random.NextBytes(data);
        var header = new byte[4 + (4 * shape.Length)];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        for (var i = 0; i < shape.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), shape[i]);
        }

        return [.. header, .. data];
    }

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return memory.ToArray();
    }

    /// <summary>Valid PNG files: every colour type, several depths, all filters, interlaced and not, palette and tRNS.</summary>
    public static readonly byte[][] PngSeeds =
    [
        PngWriter.Encode(4, 3, 0, 8, Samples(4 * 3, 8, 1), [0]),
        PngWriter.Encode(5, 4, 2, 8, Samples(5 * 4 * 3, 8, 2), [0, 1, 2, 3, 4]),
        PngWriter.Encode(9, 7, 6, 8, Samples(9 * 7 * 4, 8, 3), [4, 3], interlaced: true),
        PngWriter.Encode(6, 5, 3, 2, Samples(6 * 5, 2, 4), [1, 2], palette: [0, 0, 0, 90, 90, 90, 200, 10, 10, 255, 255, 255], transparency: [0, 128]),
        PngWriter.Encode(3, 3, 0, 16, Samples(3 * 3, 16, 5), [2], interlaced: true, transparency: [0, 7]),
        PngWriter.Encode(7, 2, 0, 1, Samples(7 * 2, 1, 6), [3]),
        PngWriter.Encode(2, 2, 4, 16, Samples(2 * 2 * 2, 16, 7), [4]),
    ];

    private static int[] Samples(int count, int depth, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(1 << depth)).ToArray();
    }

    /// <summary>Recomputes the CRC of every chunk that the length fields still delimit, so mutations reach past the CRC check.</summary>
    public static byte[] FixCrcs(byte[] file)
    {
        for (var at = 8; at + 12 <= file.Length;)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
            if (length > (uint)(file.Length - at - 12))
            {
                break;
            }

            BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(at + 8 + (int)length), PngWriter.Crc(file.AsSpan(at + 4, 4 + (int)length)));
            at += 12 + (int)length;
        }

        return file;
    }

    /// <summary>Valid safetensors files, written by Save: float and double networks, one with BatchNorm state, a standardizer.</summary>
    public static byte[][] SafetensorsSeeds(string directory)
    {
        var files = new List<byte[]>();
        void Add(Action<string> save)
        {
            var path = Path.Combine(directory, "seed.safetensors");
            save(path);
            files.Add(File.ReadAllBytes(path));
            File.Delete(path);
        }

        // Lambdas, not method groups: Save and Load gain overloads (a layout, a Stream).
        Add(p => new SpiralNet(seed: 1).Save(p));
        Add(p => new CheckNet(seed: 1).Save(p));
        Add(p => new BatchNormCheckNetF(seed: 1).Save(p));
        Add(p => Standardizer.Fit(new Dataset<float>([1, 2, 3, 4, 6, 9], [0, 0], features: 3)).Save(p));
        return [.. files];
    }

    /// <summary>Applies mutations to the JSON header only, then rewrites the 8-byte length so the reader parses the mutated JSON.</summary>
    public static byte[] MutateHeader(byte[] file, Mutation[] mutations)
    {
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = Mutation.Apply(file[8..(8 + headerLength)], mutations);
        var result = new byte[8 + header.Length + file.Length - 8 - headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + headerLength).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }
}
