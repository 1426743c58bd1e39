using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Nn.EndToEnd.Tests.Png;

/// <summary>
/// A PNG encoder for tests, written from the specification apart from samples/Classify's decoder and sharing no code
/// with it: its own bit packing, forward filters, Adam7 pass split and a bit-by-bit CRC-32 (no table). Every row gets the
/// filter the caller names, so each filter type is exercised on every colour type and depth.
/// </summary>
internal static class PngWriter
{
    /// <summary>Encodes samples (row-major, <c>channels</c> per pixel, each below 2^depth) as a PNG file.</summary>
    /// <param name="filter">Filter type per row, by row index modulo the list's length (passes count rows from 0 each).</param>
    public static byte[] Encode(int width, int height, int colorType, int depth, int[] samples, IReadOnlyList<byte> filter,
        bool interlaced = false, byte[]? palette = null, byte[]? transparency = null)
    {
        var channels = colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        var raw = new MemoryStream();
        (int X0, int Y0, int Dx, int Dy)[] passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)];
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var columns = new List<int>();
            for (var x = x0; x < width; x += dx)
            {
                columns.Add(x);
            }

            var rowIndex = 0;
            byte[]? previous = null;
            for (var y = y0; y < height && columns.Count > 0; y += dy)
            {
                var bits = new List<int>();   // the row's samples, then packed
                foreach (var x in columns)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        bits.Add(samples[(y * width + x) * channels + c]);
                    }
                }

                var row = Pack(bits, depth);
                previous ??= new byte[row.Length];
                var type = filter[rowIndex++ % filter.Count];
                raw.WriteByte(type);
                raw.Write(Filter(type, row, previous, Math.Max(1, channels * depth / 8)));
                previous = row;
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9], header[12]) = ((byte)depth, (byte)colorType, (byte)(interlaced ? 1 : 0));
        var chunks = new List<(string, byte[])> { ("IHDR", header) };
        if (palette is not null)
        {
            chunks.Add(("PLTE", palette));
        }

        if (transparency is not null)
        {
            chunks.Add(("tRNS", transparency));
        }

        chunks.Add(("IDAT", Compress(raw.ToArray())));
        chunks.Add(("IEND", []));
        return File(chunks);
    }

    /// <summary>The signature followed by the chunks, each with its length and CRC.</summary>
    public static byte[] File(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks)
        {
            file.Write(Chunk(type, data));
        }

        return file.ToArray();
    }

    /// <summary>One chunk: length, type, data, CRC of type and data.</summary>
    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>zlib-compressed bytes (.NET's ZLibStream: header, deflate, Adler-32).</summary>
    public static byte[] Compress(byte[] raw)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal))
        {
            zlib.Write(raw);
        }

        return compressed.ToArray();
    }

    /// <summary>CRC-32 one bit at a time (polynomial 0xEDB88320, reflected), the slow way on purpose.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }

    /// <summary>Samples packed big-endian: several per byte, most significant first, below 8 bits; two bytes each at 16.</summary>
    private static byte[] Pack(List<int> samples, int depth)
    {
        var row = new byte[(samples.Count * depth + 7) / 8];
        for (var i = 0; i < samples.Count; i++)
        {
            var bit = i * depth;   // the sample's first bit, counted from the row's most significant bit
            if (depth == 16)
            {
                row[2 * i] = (byte)(samples[i] >> 8);
                row[2 * i + 1] = (byte)samples[i];
            }
            else
            {
                row[bit / 8] |= (byte)(samples[i] << (8 - depth - bit % 8));
            }
        }

        return row;
    }

    /// <summary>The forward filter: each byte minus its predictor from the original (unfiltered) neighbours.</summary>
    private static byte[] Filter(byte type, byte[] row, byte[] previous, int bpp)
    {
        var output = new byte[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0, up = previous[i], upLeft = i >= bpp ? previous[i - bpp] : 0;
            int estimate = left + up - upLeft, toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
            var predictor = type switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) >> 1,
                4 => toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft,
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            };
            output[i] = (byte)(row[i] - predictor);
        }

        return output;
    }
}
