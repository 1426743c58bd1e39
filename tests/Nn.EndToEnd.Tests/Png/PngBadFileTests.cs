using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Nn.EndToEnd.Tests.Png;

using Decoder = Classify.Png;

/// <summary>
/// Every malformed file is an <see cref="InvalidDataException"/> that names what was expected and what came; never an
/// IndexOutOfRangeException, never part of an image.
/// </summary>
public class PngBadFileTests
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A 4×3 8-bit greyscale header.</summary>
    private static byte[] Ihdr(int width = 4, int height = 3, byte depth = 8, byte color = 0, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(data, width);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), height);
        (data[8], data[9], data[10], data[11], data[12]) = (depth, color, compression, filter, interlace);
        return data;
    }

    /// <summary>Rows of a 4-pixel-wide 8-bit grey image, each with filter 0, compressed.</summary>
    private static byte[] Idat(int rows = 3, int width = 4, byte filter = 0) =>
        PngWriter.Compress(Enumerable.Range(0, rows).SelectMany(_ => new[] { filter }.Concat(new byte[width])).ToArray());

    private static string Fails(IEnumerable<(string, byte[])> chunks) => Fails(PngWriter.File(chunks));

    private static string Fails(byte[] file) => Assert.Throws<InvalidDataException>(() => Decoder.Decode(file)).Message;

    [Fact]
    public void AGoodFileDecodes() => Assert.Equal(12, Decoder.Decode(PngWriter.File([("IHDR", Ihdr()), ("IDAT", Idat()), ("IEND", [])])).Luminance.Length);

    [Fact]
    public void NotAPng()
    {
        Assert.Contains("expected the signature 89504E470D0A1A0A, found an empty file", Fails(Array.Empty<byte>()));
        Assert.Contains("found 474946383961", Fails("GIF89a"u8.ToArray()));
        Assert.Contains("found 89504E470D0A1A00", Fails((byte[])[.. Signature[..7], 0]));
    }

    [Fact]
    public void EveryTruncationFails()
    {
        var file = PngWriter.File([("IHDR", Ihdr()), ("tEXt", "a\0b"u8.ToArray()), ("IDAT", Idat()), ("IEND", [])]);
        for (var n = 0; n < file.Length; n++)
        {
            Assert.Throws<InvalidDataException>(() => Decoder.Decode(file.AsSpan(0, n)));
        }

        Assert.Contains("truncated at byte 8: expected a chunk (12 bytes at least), found 5 bytes", Fails(file[..13]));
        Assert.Contains("chunk IHDR at byte 8 declares 13 data bytes, but only 12 remain", Fails(file[..32]));
    }

    [Fact]
    public void EveryCorruptByteOfEveryChunkFailsItsCrc()
    {
        var file = PngWriter.File([("IHDR", Ihdr()), ("tEXt", "a\0b"u8.ToArray()), ("IDAT", Idat()), ("IEND", [])]);
        for (var i = 12; i < file.Length; i++)   // the type, data and CRC of every chunk (a length byte breaks the walk instead)
        {
            var bad = (byte[])file.Clone();
            bad[i] ^= 0x20;   // also turns a type's letter to the other case: still a letter, only the CRC can tell
            Assert.Throws<InvalidDataException>(() => Decoder.Decode(bad));
        }

        var crc = (byte[])file.Clone();
        crc[29] ^= 1;   // IHDR's CRC
        Assert.Contains($"chunk IHDR at byte 8: CRC mismatch, expected {PngWriter.Crc(file.AsSpan(12, 17)):X8} (computed), found {BinaryPrimitives.ReadUInt32BigEndian(crc.AsSpan(29)):X8}", Fails(crc));
    }

    [Theory]
    [InlineData(0, 3, 8, 0, 0, "expected a width and height from 1 to 2147483647, found 0×3")]
    [InlineData(4, -1, 8, 0, 0, "found 4×4294967295")]
    [InlineData(100000, 100000, 8, 0, 0, "100000×100000 is larger than this decoder takes (8192 pixels a side and 16777216 pixels in all")]
    [InlineData(1, 16777216, 8, 0, 0, "1×16777216 is larger than this decoder takes")]
    [InlineData(8193, 1, 8, 0, 0, "8193×1 is larger")]
    [InlineData(8192, 2049, 8, 0, 0, "8192×2049 is larger")]
    [InlineData(4, 3, 3, 0, 0, "colour type 0 takes bit depth 1, 2, 4, 8 or 16, found 3")]
    [InlineData(4, 3, 4, 2, 0, "colour type 2 takes bit depth 8 or 16, found 4")]
    [InlineData(4, 3, 16, 3, 0, "colour type 3 takes bit depth 1, 2, 4 or 8, found 16")]
    [InlineData(4, 3, 1, 6, 0, "colour type 6 takes bit depth 8 or 16, found 1")]
    [InlineData(4, 3, 8, 5, 0, "expected colour type 0, 2, 3, 4 or 6, found 5")]
    [InlineData(4, 3, 8, 0, 2, "interlace method 0 or 1, found 0, 0 and 2")]
    public void BadHeaders(int width, int height, byte depth, byte color, byte interlace, string message) =>
        Assert.Contains(message, Fails([("IHDR", Ihdr(width, height, depth, color, interlace)), ("IDAT", Idat()), ("IEND", [])]));

    [Fact]
    public void BadHeaderMethodsAndLength()
    {
        Assert.Contains("found 1, 0 and 0", Fails([("IHDR", Ihdr(compression: 1)), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("found 0, 1 and 0", Fails([("IHDR", Ihdr(filter: 1)), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("IHDR: expected 13 bytes, found 12", Fails([("IHDR", Ihdr()[..12]), ("IDAT", Idat()), ("IEND", [])]));
    }

    [Fact]
    public void ChunkOrder()
    {
        Assert.Contains("expected IHDR as the first chunk, found IDAT", Fails([("IDAT", Idat()), ("IHDR", Ihdr()), ("IEND", [])]));
        Assert.Contains("expected IDAT image data before IEND, found none", Fails([("IHDR", Ihdr()), ("IEND", [])]));
        Assert.Contains("expected a chunk (12 bytes at least), found 0 bytes before IEND", Fails([("IHDR", Ihdr()), ("IDAT", Idat())]));
        Assert.Contains("expected the file to end after IEND, found 1 more bytes", Fails((byte[])[.. PngWriter.File([("IHDR", Ihdr()), ("IDAT", Idat()), ("IEND", [])]), 0]));
        Assert.Contains("chunk IHDR at byte 33 is out of order", Fails([("IHDR", Ihdr()), ("IHDR", Ihdr()), ("IDAT", Idat()), ("IEND", [])]));
        var idat = Idat();
        var split = Fails([("IHDR", Ihdr()), ("IDAT", idat[..5]), ("tEXt", "a\0b"u8.ToArray()), ("IDAT", idat[5..]), ("IEND", [])]);
        Assert.Contains("chunk IDAT at byte", split);
        Assert.Contains("IDAT chunks consecutive", split);
        Assert.Contains("unknown critical chunk ABCD", Fails([("IHDR", Ihdr()), ("ABCD", []), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("expected a chunk type of four ASCII letters, found bytes 49444131", Fails([("IHDR", Ihdr()), ("IDA1", []), ("IDAT", Idat()), ("IEND", [])]));
    }

    [Fact]
    public void PaletteAndTransparencyRules()
    {
        byte[] plte = [0, 0, 0, 255, 255, 255];
        var palette = Ihdr(depth: 1, color: 3);
        var idat = PngWriter.Compress(new byte[3 * 2]);   // 3 rows: filter byte + one byte of 4 one-bit indices
        Assert.Contains("expected a PLTE chunk for a palette image (colour type 3), found none", Fails([("IHDR", palette), ("IDAT", idat), ("IEND", [])]));
        Assert.Contains("PLTE: expected 3 × (1 to 2) bytes, found 9", Fails([("IHDR", palette), ("PLTE", new byte[9]), ("IDAT", idat), ("IEND", [])]));
        Assert.Contains("PLTE: expected 3 × (1 to 256) bytes, found 4", Fails([("IHDR", Ihdr(color: 2)), ("PLTE", new byte[4]), ("IDAT", idat), ("IEND", [])]));
        Assert.Contains("a PLTE chunk is not allowed in a greyscale image (colour type 0)", Fails([("IHDR", Ihdr()), ("PLTE", plte), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("chunk PLTE at byte", Fails([("IHDR", palette), ("IDAT", idat), ("PLTE", plte), ("IEND", [])]));
        Assert.Contains("tRNS in colour type 3: expected at most 2 bytes (one per palette entry), found 3", Fails([("IHDR", palette), ("PLTE", plte), ("tRNS", new byte[3]), ("IDAT", idat), ("IEND", [])]));
        Assert.Contains("tRNS in colour type 3: expected a PLTE chunk before tRNS", Fails([("IHDR", palette), ("tRNS", new byte[1]), ("PLTE", plte), ("IDAT", idat), ("IEND", [])]));
        Assert.Contains("tRNS in colour type 0: expected 2 bytes (one grey sample), found 6", Fails([("IHDR", Ihdr()), ("tRNS", new byte[6]), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("tRNS in colour type 6: expected no tRNS chunk in an image with an alpha channel", Fails([("IHDR", Ihdr(color: 6)), ("tRNS", new byte[2]), ("IDAT", Idat()), ("IEND", [])]));

        var outOfRange = PngWriter.Compress([0, 0b0000_0000, 0, 0b0000_0000, 0, 0b0100_0000]);   // index 1 with one entry
        Assert.Contains("expected palette indices below 1 (PLTE entries), found 1", Fails([("IHDR", palette), ("PLTE", plte[..3]), ("IDAT", outOfRange), ("IEND", [])]));
    }

    [Fact]
    public void BadImageData()
    {
        Assert.Contains("row 1: expected filter type 0 to 4 (None, Sub, Up, Average, Paeth), found 5",
            Fails([("IHDR", Ihdr()), ("IDAT", PngWriter.Compress([0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0])), ("IEND", [])]));
        Assert.Contains("too little image data: expected 15 bytes for a 4×3 colour type 0, 8-bit image, the IDAT stream inflates to 10",
            Fails([("IHDR", Ihdr()), ("IDAT", Idat(rows: 2)), ("IEND", [])]));
        Assert.Contains("too much image data: the IDAT stream inflates to more than the 15 bytes a 4×3 colour type 0, 8-bit image holds",
            Fails([("IHDR", Ihdr()), ("IDAT", Idat(rows: 4)), ("IEND", [])]));
        Assert.Contains("expected 18 bytes for a 4×3 colour type 0, 8-bit, Adam7 image, the IDAT stream inflates to 15",   // passes 1, 4, 5, 6, 7: 1×1, 1×1, 2×1, 2×2, 4×1 → 2 + 2 + 3 + 2·3 + 5
            Fails([("IHDR", Ihdr(interlace: 1)), ("IDAT", Idat()), ("IEND", [])]));
        Assert.Contains("the IDAT zlib stream is corrupt", Fails([("IHDR", Ihdr()), ("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]), ("IEND", [])]));
        Assert.Contains("the IDAT zlib stream is corrupt", Fails([("IHDR", Ihdr()), ("IDAT", [1, 2, 3]), ("IEND", [])]));
        var wrongAdler = Idat();
        wrongAdler[^1] ^= 1;
        Assert.Contains("the IDAT zlib stream is corrupt", Fails([("IHDR", Ihdr()), ("IDAT", wrongAdler), ("IEND", [])]));
    }

    /// <summary>Decodes and returns the message and the bytes allocated on this thread meanwhile.</summary>
    private static (string Message, long Allocated) FailsMeasured(byte[] file)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = Fails(file);
        return (message, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void HostileSizesAreRefusedBeforeAllocating()
    {
        // The 32 KB picture of 1 × 16,777,216 grey pixels (3.8 GB and 28 s before): refused by the header alone.
        var strip = PngWriter.File([("IHDR", Ihdr(1, 16_777_216)), ("IDAT", PngWriter.Compress(new byte[2 * 16_777_216])), ("IEND", [])]);
        Assert.InRange(strip.Length, 1, 64 << 10);
        var (message, allocated) = FailsMeasured(strip);
        Assert.Contains("1×16777216 is larger than this decoder takes", message);
        Assert.InRange(allocated, 0, 2 * strip.Length + (1 << 20));

        // The 66-byte file with an 8192 × 8192 header (512 MB before): refused before anything the size of the image.
        var header = PngWriter.File([("IHDR", Ihdr(8192, 8192)), ("IDAT", [0x78, 0x9C, 0x03, 0x00]), ("IEND", [])]);
        (message, allocated) = FailsMeasured(header);
        Assert.Contains("8192×8192 is larger", message);
        Assert.InRange(allocated, 0, 64 << 10);

        // Within the limits, 4096 × 4096 (16 MiB of pixels) with 20 bytes of IDAT: deflate cannot expand 20 bytes that far.
        var small = PngWriter.File([("IHDR", Ihdr(4096, 4096)), ("IDAT", PngWriter.Compress(new byte[16])), ("IEND", [])]);
        (message, allocated) = FailsMeasured(small);
        Assert.Contains("too little image data: expected 16781312 bytes for a 4096×4096 colour type 0, 8-bit image, but", message);
        Assert.Contains("inflate to at most", message);
        Assert.InRange(allocated, 0, 64 << 10);

        // A decompression bomb behind a 4×3 header (64 MiB of zeros in 64 KB): inflation stops one byte past the 15 the image holds.
        var bomb = PngWriter.File([("IHDR", Ihdr()), ("IDAT", PngWriter.Compress(new byte[64 << 20])), ("IEND", [])]);
        (message, allocated) = FailsMeasured(bomb);
        Assert.Contains("too much image data", message);
        Assert.InRange(allocated, 0, 2 * bomb.Length + (1 << 20));
    }

    [Fact]
    public void ZlibStreamWithPresetDictionaryIsCorruptData()
    {
        // FDICT set (0x78 0xBB, a valid header check) and a dictionary id: zlib asks for a dictionary, which .NET throws as its
        // internal ZLibException (an IOException) unless it is caught.
        byte[] dictionary = [0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
        Assert.Contains("the IDAT zlib stream is corrupt", Fails([("IHDR", Ihdr()), ("IDAT", dictionary), ("IEND", [])]));
    }

    [Fact]
    public void ReadRefusesWhatIsNotARegularFileOfAPngSize()
    {
        var dir = Directory.CreateTempSubdirectory("nn-png-").FullName;
        try
        {
            Assert.StartsWith($"PNG file '{dir}': it is a directory", Assert.Throws<InvalidDataException>(() => Decoder.Read(dir)).Message);
            var empty = Path.Combine(dir, "empty.png");
            File.WriteAllBytes(empty, []);
            Assert.Contains("it is empty (or not a regular file", Assert.Throws<InvalidDataException>(() => Decoder.Read(empty)).Message);
            var huge = Path.Combine(dir, "huge.png");
            using (var file = File.Create(huge))
            {
                file.SetLength(Decoder.MaxFileBytes + 1);   // sparse: no disk used, and never read
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Contains("it is 268435457 bytes long, more than the 268435456 bytes", Assert.Throws<InvalidDataException>(() => Decoder.Read(huge)).Message);
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 << 10);
            Assert.Throws<FileNotFoundException>(() => Decoder.Read(Path.Combine(dir, "missing.png")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RandomDamageWithValidCrcsIsInvalidDataOrAnImage()
    {
        var random = new Random(11);
        var samples = Enumerable.Range(0, 9 * 7 * 4).Select(_ => random.Next(256)).ToArray();
        var good = PngWriter.Encode(9, 7, 6, 8, samples, [0, 1, 2, 3, 4], interlaced: true);
        var chunks = new List<(string Type, byte[] Data)>();
        for (var at = 8; at < good.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(good.AsSpan(at));
            chunks.Add((System.Text.Encoding.ASCII.GetString(good, at + 4, 4), good[(at + 8)..(at + 8 + length)]));
            at += 12 + length;
        }

        for (var trial = 0; trial < 3000; trial++)
        {
            var damaged = chunks.Select(c => (c.Type, (byte[])c.Data.Clone())).ToList();
            var (type, data) = damaged[random.Next(2)];   // IHDR or IDAT
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            try
            {
                var (pixels, width, height) = Decoder.Decode(PngWriter.File(damaged));
                Assert.Equal(width * height, pixels.Length);
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
