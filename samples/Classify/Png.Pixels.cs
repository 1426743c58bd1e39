using System;
using System.Buffers.Binary;
using System.IO;

namespace Classify;

internal static partial class Png
{
    /// <summary>Adam7's seven passes: first column and row, then the column and row steps.</summary>
    private static ReadOnlySpan<byte> Adam7 => [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];

    /// <summary>IHDR, validated: width and height 1 to <see cref="MaxSide"/> (at most <see cref="MaxPixels"/> pixels), a colour type and
    /// bit depth the specification allows together, compression and filter method 0, interlace 0 (none) or 1 (Adam7).</summary>
    private sealed record Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        /// <summary>Samples per pixel: grey 1, RGB 3, palette index 1, grey + alpha 2, RGBA 4.</summary>
        public int Channels => ColorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };

        public static Header Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length != 13)
            {
                throw new InvalidDataException($"IHDR: expected 13 bytes, found {data.Length}.");
            }

            var width = BinaryPrimitives.ReadUInt32BigEndian(data);
            var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
            if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"IHDR: expected a width and height from 1 to {int.MaxValue}, found {width}×{height}.");
            }

            if (width > MaxSide || height > MaxSide || (long)width * height > MaxPixels)
            {
                throw new InvalidDataException($"IHDR: {width}×{height} is larger than this decoder takes ({MaxSide} pixels a side and "
                    + $"{MaxPixels} pixels in all; the picture becomes 28×28, so shrink it first).");
            }

            int depth = data[8], color = data[9];
            var (allowed, ok) = color switch
            {
                0 => ("1, 2, 4, 8 or 16", depth is 1 or 2 or 4 or 8 or 16),
                3 => ("1, 2, 4 or 8", depth is 1 or 2 or 4 or 8),
                2 or 4 or 6 => ("8 or 16", depth is 8 or 16),
                _ => throw new InvalidDataException($"IHDR: expected colour type 0, 2, 3, 4 or 6, found {color}."),
            };
            if (!ok)
            {
                throw new InvalidDataException($"IHDR: colour type {color} takes bit depth {allowed}, found {depth}.");
            }

            if (data[10] != 0 || data[11] != 0 || data[12] > 1)
            {
                throw new InvalidDataException($"IHDR: expected compression method 0, filter method 0 and interlace method 0 or 1, found {data[10]}, {data[11]} and {data[12]}.");
            }

            return new Header((int)width, (int)height, depth, color, data[12] == 1);
        }

        /// <summary>Bytes in one row of a (sub-)image <paramref name="width"/> pixels wide, without its filter byte.</summary>
        public long RowBytes(int width) => ((long)width * Channels * BitDepth + 7) / 8;

        /// <summary>The inflated size, in 64 bits: for every row of every pass, a filter byte and the row.</summary>
        public long ImageDataLength()
        {
            long total = 0;
            foreach (var (_, _, _, _, w, h) in Passes())
            {
                total += h * (1 + RowBytes(w));
            }

            return total;
        }

        /// <summary>The passes (one without interlacing), each with its first column and row, steps, and size; empty passes left out.</summary>
        public (int X0, int Y0, int Dx, int Dy, int W, int H)[] Passes()
        {
            if (!Interlaced)
            {
                return [(0, 0, 1, 1, Width, Height)];
            }

            var passes = new System.Collections.Generic.List<(int, int, int, int, int, int)>(7);
            for (var p = 0; p < 7; p++)
            {
                int x0 = Adam7[4 * p], y0 = Adam7[4 * p + 1], dx = Adam7[4 * p + 2], dy = Adam7[4 * p + 3];
                int w = (int)(((long)Width - x0 + dx - 1) / dx), h = (int)(((long)Height - y0 + dy - 1) / dy);
                if (w > 0 && h > 0)
                {
                    passes.Add((x0, y0, dx, dy, w, h));
                }
            }

            return passes.ToArray();
        }

        public override string ToString() => $"{Width}×{Height} colour type {ColorType}, {BitDepth}-bit{(Interlaced ? ", Adam7" : string.Empty)}";
    }

    /// <summary>Undoes the filters row by row, pass by pass, and turns each pixel into luminance.</summary>
    private static (float[] Luminance, int Width, int Height) Pixels(Header header, ImageData raw, byte[]? palette, byte[]? transparency, bool whiteBackground)
    {
        var output = new float[(long)header.Width * header.Height];
        var bpp = Math.Max(1, header.Channels * header.BitDepth / 8);   // the byte distance the filters look back
        foreach (var (x0, y0, dx, dy, w, h) in header.Passes())
        {
            var stride = (int)header.RowBytes(w);
            Span<byte> previous = new byte[stride], row = new byte[1 + stride];   // the row above the first is zeros
            for (var y = 0; y < h; y++)
            {
                raw.Next(row);   // the filter byte, then the row
                var filter = row[0];
                row[1..].CopyTo(row);
                Unfilter(filter, row[..stride], previous, bpp, y);
                for (var x = 0; x < w; x++)
                {
                    output[(long)(y0 + y * dy) * header.Width + x0 + x * dx] = Luminance(header, row, x, palette, transparency, whiteBackground);
                }

                row[..stride].CopyTo(previous);
            }
        }

        raw.End();
        return (output, header.Width, header.Height);
    }

    /// <summary>Reverses one row's filter in place: None, Sub, Up, Average or Paeth (PNG specification, section 9).</summary>
    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp, int y)
    {
        if (filter > 4)
        {
            throw new InvalidDataException($"row {y}: expected filter type 0 to 4 (None, Sub, Up, Average, Paeth), found {filter}.");
        }

        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            row[i] += filter switch
            {
                1 => (byte)a,
                2 => (byte)b,
                3 => (byte)((a + b) / 2),
                4 => (byte)Paeth(a, b, c),
                _ => 0,
            };
        }
    }

    /// <summary>Paeth's predictor: whichever of left, above and upper-left is nearest to left + above − upper-left.</summary>
    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Pixel <paramref name="x"/> of an unfiltered row as luminance in [0, 1] (see the class remarks for the formula).</summary>
    private static float Luminance(Header header, ReadOnlySpan<byte> row, int x, byte[]? palette, byte[]? transparency, bool whiteBackground)
    {
        var n = header.Channels;
        long max = (1L << header.BitDepth) - 1, alpha = max, y;
        switch (header.ColorType)
        {
            case 0:
                y = Sample(row, x, header.BitDepth);
                alpha = transparency is not null && y == BinaryPrimitives.ReadUInt16BigEndian(transparency) ? 0 : max;
                break;
            case 2:
                long r = Sample(row, 3 * x, header.BitDepth), g = Sample(row, 3 * x + 1, header.BitDepth), b = Sample(row, 3 * x + 2, header.BitDepth);
                y = Luma(r, g, b);
                alpha = transparency is not null && r == BinaryPrimitives.ReadUInt16BigEndian(transparency)
                    && g == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2)) && b == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(4)) ? 0 : max;
                break;
            case 3:
                var index = Sample(row, x, header.BitDepth);
                if (index >= palette!.Length / 3)
                {
                    throw new InvalidDataException($"expected palette indices below {palette.Length / 3} (PLTE entries), found {index}.");
                }

                max = 255;   // palette entries are 8-bit whatever the index depth
                y = Luma(palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]);
                alpha = transparency is not null && index < transparency.Length ? transparency[index] : 255;
                break;
            default:
                y = n == 2 ? Sample(row, 2 * x, header.BitDepth) : Luma(Sample(row, 4 * x, header.BitDepth), Sample(row, 4 * x + 1, header.BitDepth), Sample(row, 4 * x + 2, header.BitDepth));
                alpha = Sample(row, n * x + n - 1, header.BitDepth);
                break;
        }

        var composited = alpha == max ? y : (y * alpha + (whiteBackground ? max : 0) * (max - alpha) + max / 2) / max;
        return (float)composited / max;
    }

    /// <summary>BT.601 luma in whole sample units, rounded: <c>(299·R + 587·G + 114·B + 500) / 1000</c>.</summary>
    private static long Luma(long r, long g, long b) => (299 * r + 587 * g + 114 * b + 500) / 1000;

    /// <summary>Sample <paramref name="i"/> of a row: packed most significant bits first below 8 bits, big-endian at 16.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int i, int depth) => depth switch
    {
        8 => row[i],
        16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]),
        _ => (row[(int)((long)i * depth / 8)] >> (8 - depth - (int)((long)i * depth % 8))) & ((1 << depth) - 1),
    };
}
