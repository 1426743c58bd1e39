using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Nn.EndToEnd.Tests.Png;

using Decoder = Classify.Png;

/// <summary>
/// samples/Classify's PNG decoder against files it did not write: the tests' own <see cref="PngWriter"/> (every colour
/// type, bit depth and filter type, plain and Adam7) and the files make_fixtures.py wrote with Python's zlib and struct.
/// Expected luminance is computed here from the samples: <c>Y = (299·R + 587·G + 114·B + 500) / 1000</c>, composited
/// as <c>(Y·A + bg·(max − A) + max/2) / max</c>, divided by <c>max = 2^depth − 1</c>; pixels must match exactly.
/// </summary>
public class PngDecoderTests
{
    public static TheoryData<int, int, bool, int> Kinds()
    {
        var data = new TheoryData<int, int, bool, int>();
        (int Color, int Depth)[] kinds = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];
        foreach (var (color, depth) in kinds)
        {
            foreach (var interlaced in new[] { false, true })
            {
                for (var filter = 0; filter <= 5; filter++)   // 5: the filters mixed, row by row
                {
                    data.Add(color, depth, interlaced, filter);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryColourTypeDepthAndFilterDecodesExactly(int color, int depth, bool interlaced, int filter)
    {
        const int Width = 13, Height = 11;   // odd, so packed rows end mid-byte and every Adam7 pass has pixels
        var random = new Random(color * 1000 + depth * 10 + filter);
        var channels = color switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        var entries = color == 3 ? Math.Min(1 << depth, 200) : 0;
        var palette = color == 3 ? Enumerable.Range(0, 3 * entries).Select(_ => (byte)random.Next(256)).ToArray() : null;
        var alphas = color == 3 ? Enumerable.Range(0, entries / 2).Select(_ => (byte)random.Next(256)).ToArray() : null;
        var samples = Enumerable.Range(0, Width * Height * channels).Select(_ => random.Next(color == 3 ? entries : 1 << depth)).ToArray();
        if (channels is 2 or 4)
        {
            for (var i = 0; i < Width * Height; i += 3)
            {
                samples[i * channels + channels - 1] = (1 << depth) - 1;   // some opaque pixels
            }
        }

        byte[] filters = filter == 5 ? [0, 1, 2, 3, 4, 4, 3, 2, 1] : [(byte)filter];
        var file = PngWriter.Encode(Width, Height, color, depth, samples, filters, interlaced, palette, alphas);
        foreach (var white in new[] { false, true })
        {
            var (pixels, width, height) = Decoder.Decode(file, white);
            Assert.Equal((Width, Height), (width, height));
            var expected = Enumerable.Range(0, Width * Height)
                .Select(i => Expected(color, depth, samples.AsSpan(i * channels, channels), palette, alphas, null, white)).ToArray();
            Assert.Equal(expected, pixels);
        }
    }

    [Fact]
    public void EightBitGreyIsWhatIdxGives()
    {
        var samples = Enumerable.Range(0, 256).ToArray();
        var (pixels, _, _) = Decoder.Decode(PngWriter.Encode(16, 16, 0, 8, samples, [4]));
        Assert.Equal(samples.Select(v => v / 255f), pixels);   // Idx.ReadImages: data[i] / 255f
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(0, 2)]
    [InlineData(0, 16)]
    [InlineData(2, 8)]
    [InlineData(2, 16)]
    public void TransparentColourKeyBecomesBackground(int color, int depth)
    {
        var channels = color == 2 ? 3 : 1;
        int[] key = color == 2 ? [1, 2, 3] : [1];
        int[] other = color == 2 ? [3, 2, 1] : [2];
        var samples = key.Concat(other).Concat(key).Concat(key.Select(k => k + 1)).ToArray();   // 4 pixels: key, other, key, near miss
        var trns = key.SelectMany(k => new[] { (byte)(k >> 8), (byte)k }).ToArray();
        var file = PngWriter.Encode(4, 1, color, depth, samples, [1], transparency: trns);
        foreach (var white in new[] { false, true })
        {
            var (pixels, _, _) = Decoder.Decode(file, white);
            var expected = Enumerable.Range(0, 4).Select(i => Expected(color, depth, samples.AsSpan(i * channels, channels), null, null, key, white));
            Assert.Equal(expected, pixels);
            Assert.Equal(white ? 1f : 0f, pixels[0]);
            Assert.NotEqual(white ? 1f : 0f, pixels[3]);
        }
    }

    [Theory]
    [InlineData("palette-4bit-trns.png", 7, 5, 3, 4, false)]
    [InlineData("rgba-16bit-adam7.png", 9, 10, 6, 16, true)]
    [InlineData("gray-1bit.png", 10, 3, 0, 1, false)]
    [InlineData("gray-alpha-8bit-adam7.png", 5, 6, 4, 8, true)]
    [InlineData("rgb-8bit-stored.png", 6, 4, 2, 8, false)]
    public void PythonWrittenFiles(string name, int width, int height, int color, int depth, bool interlaced)
    {
        // Written by make_fixtures.py (Python's zlib + struct; see the script): sample (x, y, c) = (7x + 13y + 5c) mod 2^depth,
        // the filters cycling None, Sub, Up, Average, Paeth, an ancillary tEXt chunk, the data split over two IDATs.
        var channels = color switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        var palette = color == 3 ? Enumerable.Range(0, 16).SelectMany(i => new[] { (byte)(17 * i), (byte)(255 - 9 * i), (byte)(40 * i % 256) }).ToArray() : null;
        var alphas = color == 3 ? Enumerable.Range(0, 12).Select(i => (byte)(20 * i)).ToArray() : null;
        var path = Path.Combine(AppContext.BaseDirectory, "Png", "Fixtures", name);
        Assert.Equal(interlaced, File.ReadAllBytes(path)[28] == 1);
        var (pixels, w, h) = Decoder.Read(path);
        Assert.Equal((width, height), (w, h));
        var expected = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var s = Enumerable.Range(0, channels).Select(c => (7 * x + 13 * y + 5 * c) % (1 << depth)).ToArray();
                expected[y * width + x] = Expected(color, depth, s, palette, alphas, null, white: false);
            }
        }

        Assert.Equal(expected, pixels);
    }

    [Fact]
    public void CrcTableMatchesTheCheckValueAndTheBitwiseCrc()
    {
        Assert.Equal(0xCBF43926u, Classify.Crc32.Compute("123456789"u8));
        var random = new Random(5);
        for (var n = 0; n < 300; n++)
        {
            var data = new byte[n];
            random.NextBytes(data);
            Assert.Equal(PngWriter.Crc(data), Classify.Crc32.Compute(data));
        }
    }

    /// <summary>What a pixel must decode to, from its samples (see the class summary).</summary>
    internal static float Expected(int color, int depth, ReadOnlySpan<int> s, byte[]? palette, byte[]? alphas, int[]? key, bool white)
    {
        long max = (1 << depth) - 1, y, a = max;
        switch (color)
        {
            case 3:
                (max, a) = (255, s[0] < (alphas?.Length ?? 0) ? alphas![s[0]] : 255);
                y = (299L * palette![3 * s[0]] + 587L * palette[3 * s[0] + 1] + 114L * palette[3 * s[0] + 2] + 500) / 1000;
                break;
            case 2 or 6:
                y = (299L * s[0] + 587L * s[1] + 114L * s[2] + 500) / 1000;
                a = color == 6 ? s[3] : key is not null && s.SequenceEqual(key) ? 0 : max;
                break;
            default:
                y = s[0];
                a = color == 4 ? s[1] : key is not null && s[0] == key[0] ? 0 : max;
                break;
        }

        return (float)((y * a + (white ? max : 0) * (max - a) + max / 2) / max) / max;
    }
}
