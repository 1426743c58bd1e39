using System;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Nn.Runtime.Tests;

/// <summary>IDX files good and bad, the validation split, and standardization fitted on training data only.</summary>
public sealed class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabels(bool gzip)
    {
        var images = Write("images", gzip, Header(0x08, 3, 2, 2, 2), new byte[] { 0, 255, 51, 102, 1, 2, 3, 4 });
        var labels = Write("labels", gzip, Header(0x08, 1, 2), new byte[] { 7, 3 });

        var data = Idx.ReadDataset(images, labels);
        Assert.Equal((2, 4), (data.Count, data.Features));
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f }, data.Sample(0).ToArray());
        Assert.Equal(new[] { 7, 3 }, data.Y);
    }

    [Fact]
    public void BadFilesSayWhatIsWrong()
    {
        Assert.Contains("not an IDX magic number", Fails(Write("magic", false, new byte[] { 1, 2, 3, 4 }, Array.Empty<byte>())));
        Assert.Contains("element type 0x0D; only 0x08", Fails(Write("type", false, Header(0x0D, 1, 2), new byte[8])));
        Assert.Contains("ends after 2 of the 4 bytes of dimension 2 of 3", Fails(Write("dims", false, Header(0x08, 3, 2).Concat(new byte[] { 0, 0 }).ToArray(), Array.Empty<byte>())));
        Assert.Contains("ends after 7 of the 8 bytes of 8 data bytes for shape [2×2×2]", Fails(Write("data", true, Header(0x08, 3, 2, 2, 2), new byte[7])));
        Assert.Contains("ends after 1 of the 4 bytes", Fails(Write("short", false, new byte[] { 0 }, Array.Empty<byte>())));
        Assert.Throws<FileNotFoundException>(() => Idx.Read(Path.Combine(_dir, "missing")));

        var images = Write("i", false, Header(0x08, 3, 3, 1, 1), new byte[3]);
        var labels = Write("l", false, Header(0x08, 1, 2), new byte[2]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadDataset(images, labels));
        Assert.Contains("holds 3 images but", e.Message);
        Assert.Contains("holds 2 labels", e.Message);
        Assert.Contains("images need 3 (count, rows, columns)", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(labels)).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LyingHeaderIsRefusedWithoutAllocatingWhatItClaims(bool gzip)
    {
        // 16 bytes claiming 2.139 GB of data: refused before allocating it (plain: the file is too short; gzip: chunked reads).
        var path = Write("huge", gzip, Header(0x08, 3, 2139, 1000, 1000), Array.Empty<byte>());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = Fails(path);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8 << 20);
        Assert.Contains(path, message);
        Assert.Contains("2139000000 data bytes for shape [2139×1000×1000]", message);
        Assert.Contains(gzip ? "ends after 0 of the 2139000000 bytes" : "the file has 0 bytes after the 16-byte header", message);

        // 65536⁴ = 2⁶⁴ wraps to 0 in unchecked 64-bit arithmetic: it must be refused, not read as an empty file.
        message = Fails(Write("wrap", gzip, Header(0x08, 4, 65536, 65536, 65536, 65536), Array.Empty<byte>()));
        Assert.Contains("more than the", message);
        Assert.Contains("[65536×65536×…]", message);
    }

    [Fact]
    public void GzipLargerThanOneChunkReadsWhole()
    {
        var data = Enumerable.Range(0, 3_000_001).Select(i => (byte)(i * 7)).ToArray();
        var (shape, read) = Idx.Read(Write("big", true, Header(0x08, 1, data.Length), data));
        Assert.Equal(new[] { data.Length }, shape);
        Assert.Equal(data, read);
        Assert.Contains("ends after 2000000 of the 3000001 bytes", Fails(Write("bigcut", true, Header(0x08, 1, data.Length), data[..2_000_000])));
    }

    [Fact]
    public void HostileGzipIsInvalidDataNamingThePath()
    {
        var good = Gzip(Header(0x08, 3, 2, 2, 2).Concat(new byte[8]).ToArray());

        // Corrupt deflate data (a byte of the compressed block flipped), and an unknown compression method (byte 2 of the
        // gzip header): .NET says "unsupported compression method" without a path.
        var corrupt = (byte[])good.Clone();
        corrupt[10] ^= 0xFF;
        AssertInvalid(WriteRaw("corrupt.gz", corrupt), "the gzip data is corrupt");
        var method = (byte[])good.Clone();
        method[2] = 7;
        AssertInvalid(WriteRaw("method.gz", method), "the gzip data is corrupt");

        // A wrong CRC-32 in the trailer: .NET says "unsupported compression method".
        var crc = (byte[])good.Clone();
        crc[^6] ^= 1;
        AssertInvalid(WriteRaw("crc.gz", crc), "the gzip data is corrupt after");

        // Truncated anywhere, also inside the 8-byte trailer after complete data (which .NET reads without a word).
        for (var n = 2; n < good.Length; n++)
        {
            AssertInvalid(WriteRaw("cut" + n + ".gz", good[..n]), string.Empty);
        }

        Assert.Contains("does not end with the gzip trailer", Assert.Throws<InvalidDataException>(() => Idx.Read(WriteRaw("trailer.gz", good[..^3]))).Message);

        // Bytes after the member (which .NET ignores), a zlib stream asking for a preset dictionary, a second member after the
        // data, and the data split over two members.
        AssertInvalid(WriteRaw("garbage.gz", good.Concat(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }).ToArray()), "has bytes after the gzip data");
        AssertInvalid(WriteRaw("dictionary.gz", good.Concat(new byte[] { 0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00 }).ToArray()), "has bytes after");
        AssertInvalid(WriteRaw("second.gz", good.Concat(Gzip(new byte[] { 1 })).ToArray()), "has trailing bytes: its gzip data goes on after the 8 data bytes");
        var split = Gzip(Header(0x08, 1, 3).Concat(new byte[] { 1 }).ToArray()).Concat(Gzip(new byte[] { 2, 3 })).ToArray();
        AssertInvalid(WriteRaw("split.gz", split), "holds several gzip members");
    }

    [Fact]
    public void PlainFileLongerOrShorterThanItsHeaderIsRefused()
    {
        AssertInvalid(Write("long", false, Header(0x08, 1, 2), new byte[3]), "has trailing bytes: its header declares 2 data bytes for shape [2], but the file has 3 bytes");
        AssertInvalid(Write("short", false, Header(0x08, 1, 2), new byte[1]), "is truncated: its header declares 2 data bytes for shape [2], but the file has 1 bytes");
        AssertInvalid(Write("empty", false, Array.Empty<byte>(), Array.Empty<byte>()), "is empty");
        AssertInvalid(_dir, "is a directory");

        // Zero images of 65536×65536 pixels: the data is empty, but rows × columns wraps in 32 bits and cannot be a sample.
        var images = Write("zero", false, Header(0x08, 3, 0, 65536, 65536), Array.Empty<byte>());
        Assert.Empty(Idx.Read(images).Data);
        Assert.Contains("declares images of 65536×65536 pixels", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(images)).Message);
        Assert.Contains("declares images of 0×28 pixels", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(Write("flat", false, Header(0x08, 3, 0, 0, 28), Array.Empty<byte>()))).Message);
    }

    [Fact]
    public async System.Threading.Tasks.Task FifoIsRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = Path.Combine(_dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        var read = System.Threading.Tasks.Task.Run(() => Assert.Throws<InvalidDataException>(() => Idx.Read(fifo)).Message);
        Assert.Same(read, await System.Threading.Tasks.Task.WhenAny(read, System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Contains("not a regular file", await read);
    }

    private void AssertInvalid(string path, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.StartsWith($"IDX file '{path}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return memory.ToArray();
    }

    private string WriteRaw(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void SplitIsSeededAndDisjoint()
    {
        var data = new Dataset<float>(Enumerable.Range(0, 200).Select(i => (float)i).ToArray(), Enumerable.Range(0, 100).ToArray(), features: 2);
        var (train, validation) = data.Split(validationCount: 30, seed: 3);
        Assert.Equal((70, 30), (train.Count, validation.Count));
        Assert.Equal(Enumerable.Range(0, 100), train.Y.Concat(validation.Y).Order());
        Assert.Equal(2f * train.Y[5], train.Sample(5)[0]);
        Assert.Equal(validation.Y, data.Split(30, seed: 3).Validation.Y);
        Assert.NotEqual(validation.Y, data.Split(30, seed: 4).Validation.Y);
        Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[5], new int[3], features: 2));
    }

    [Fact]
    public void StandardizerUsesTheTrainingStatisticsOnly()
    {
        var rng = new Rng(2);
        var train = new Dataset<float>(Enumerable.Range(0, 3000).Select(i => (float)((i % 3 == 2 ? 0 : 5) + ((i % 3) + 1) * rng.NextGaussian())).ToArray(), new int[1000], 3);
        var test = new Dataset<float>(new float[] { 5, 5, 7 }, new int[1], 3);
        var s = Standardizer.Fit(train);
        s.Transform(train);
        s.Transform(test);
        for (var j = 0; j < 3; j++)
        {
            var column = Enumerable.Range(0, 1000).Select(i => (double)train.X[(i * 3) + j]).ToArray();
            Assert.InRange(column.Average(), -1e-4, 1e-4);
            Assert.InRange(Math.Sqrt(column.Select(v => v * v).Average()), 0.999, 1.001);
        }

        Assert.Equal((5 - s.Mean[0]) / s.Std[0], test.X[0], 5);
        Assert.Equal((7 - s.Mean[2]) / s.Std[2], test.X[2], 5);
        Assert.Throws<ArgumentException>(() => s.Transform(new float[4]));
    }

    private string Fails(string path) => Assert.Throws<InvalidDataException>(() => Idx.Read(path)).Message;

    private static byte[] Header(byte type, byte rank, params int[] dims) =>
        new byte[] { 0, 0, type, rank }.Concat(dims.SelectMany(d => new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d })).ToArray();

    private string Write(string name, bool gzip, byte[] header, byte[] data)
    {
        var path = Path.Combine(_dir, name + (gzip ? ".gz" : string.Empty));
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write(header);
        stream.Write(data);
        return path;
    }
}
