using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Classify;

/// <summary>
/// A small, strict PNG decoder (PNG specification, third edition) that turns a picture into luminance in [0, 1]:
/// every colour type (greyscale, RGB, palette, greyscale + alpha, RGBA) at every bit depth the specification allows,
/// all five filter types, Adam7 interlacing, and <c>tRNS</c> transparency. Only what .NET ships is used:
/// <see cref="ZLibStream"/> inflates the image data; the CRC-32 is computed here.
/// </summary>
/// <remarks>
/// Luminance is ITU-R BT.601 luma in whole sample units, <c>Y = (299·R + 587·G + 114·B + 500) / 1000</c> (integer
/// division, the weights PIL's <c>convert("L")</c> uses), so a grey pixel keeps its value. Alpha is composited over a
/// black or white background, again in sample units and rounded: <c>(Y·A + bg·(max − A) + max/2) / max</c>. The result
/// is <c>value / max</c> with <c>max = 2^depth − 1</c>: an 8-bit grey pixel <c>v</c> becomes exactly <c>v / 255f</c>,
/// what <c>Nn.Idx.ReadImages</c> gives for the same byte. Every malformed file throws <see cref="InvalidDataException"/>
/// naming what was expected and what was found; nothing is returned for it, not even part of an image.
/// </remarks>
internal static partial class Png
{
    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// The widest or tallest picture taken (8192 pixels). The picture becomes 28×28 for the network, so nothing is gained
    /// from more; a 1 × 16,777,216 strip (32 KB compressed) would otherwise cost seconds and a 16-million-row resampling buffer.
    /// </summary>
    public const int MaxSide = 8192;

    /// <summary>The most pixels a picture may have (16 Mi, 4096×4096; a 12-megapixel photo fits): the decoded luminance is at
    /// most 64 MiB of floats.</summary>
    public const long MaxPixels = 1L << 24;

    /// <summary>The longest file read (256 MiB): more than the largest picture within <see cref="MaxPixels"/> needs even
    /// uncompressed (16-bit RGBA, 128 MiB); the file is read whole, so its length is checked before it is opened.</summary>
    public const long MaxFileBytes = 1L << 28;

    /// <summary>Deflate's largest expansion: one byte of compressed data inflates to at most 1032 bytes (a 258-byte match
    /// coded in 2 bits), so IDAT data shorter than the image needs ÷ 1032 cannot hold it and is refused before allocating.</summary>
    private const long MaxInflateRatio = 1032;

    /// <summary>Reads a PNG file; see <see cref="Decode"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a PNG this decoder accepts, is longer than <see cref="MaxFileBytes"/>,
    /// or is a directory, a pipe or a device; the message starts with the path.</exception>
    public static (float[] Luminance, int Width, int Height) Read(string path, bool whiteBackground = false)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"PNG file '{path}': it is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"PNG file '{path}' does not exist.", path);
        }

        // A pipe or a device reports a length of 0 and is refused before it is opened (a FIFO blocks, /dev/zero never ends).
        var length = new FileInfo(path).Length;
        if (length is 0 or > MaxFileBytes)
        {
            throw new InvalidDataException(length == 0
                ? $"PNG file '{path}': it is empty (or not a regular file: a pipe, a socket or a device)."
                : $"PNG file '{path}': it is {length} bytes long, more than the {MaxFileBytes} bytes this decoder reads.");
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes, whiteBackground);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"PNG file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Decodes a whole PNG file held in memory to row-major luminance, <c>Luminance[y·Width + x]</c> in [0, 1].</summary>
    /// <param name="file">The file's bytes, signature to <c>IEND</c>.</param>
    /// <param name="whiteBackground">Composite transparent pixels over white (luminance 1) instead of black (0).</param>
    /// <exception cref="InvalidDataException">Not a PNG, truncated, a bad CRC, a chunk out of order, an invalid header, a bad
    /// filter byte, too little or too much image data, or a palette index out of range.</exception>
    public static (float[] Luminance, int Width, int Height) Decode(ReadOnlySpan<byte> file, bool whiteBackground = false)
    {
        if (file.Length < Signature.Length || !file[..Signature.Length].SequenceEqual(Signature))
        {
            var start = Convert.ToHexString(file[..Math.Min(file.Length, Signature.Length)]);
            throw new InvalidDataException($"not a PNG file: expected the signature 89504E470D0A1A0A, found {(start.Length == 0 ? "an empty file" : start)}.");
        }

        Header? header = null;
        byte[]? palette = null, transparency = null;
        using var idat = new MemoryStream();
        bool sawIdat = false, idatDone = false;
        var at = Signature.Length;
        while (true)
        {
            if (file.Length - at < 12)
            {
                throw new InvalidDataException($"truncated at byte {at}: expected a chunk (12 bytes at least), found {file.Length - at} bytes{(header is null ? string.Empty : " before IEND")}.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(file[at..]);
            var typeBytes = file.Slice(at + 4, 4);
            var type = ChunkName(typeBytes);
            if (length > int.MaxValue || length > file.Length - at - 12)
            {
                throw new InvalidDataException($"chunk {type} at byte {at} declares {length} data bytes, but only {file.Length - at - 12} remain before its CRC.");
            }

            var data = file.Slice(at + 8, (int)length);
            var stored = BinaryPrimitives.ReadUInt32BigEndian(file[(at + 8 + (int)length)..]);
            var computed = Crc32.Compute(file.Slice(at + 4, 4 + (int)length));
            if (stored != computed)
            {
                throw new InvalidDataException($"chunk {type} at byte {at}: CRC mismatch, expected {computed:X8} (computed), found {stored:X8}.");
            }

            if (header is null && type != "IHDR")
            {
                throw new InvalidDataException($"expected IHDR as the first chunk, found {type}.");
            }

            idatDone |= sawIdat && type != "IDAT";

            at += 12 + (int)length;
            switch (type)
            {
                case "IHDR" when header is null:
                    header = Header.Parse(data);
                    break;
                case "PLTE" when palette is null && !sawIdat && transparency is null:
                    palette = Palette(data, header!);
                    break;
                case "tRNS" when transparency is null && !sawIdat:
                    transparency = Transparency(data, header!, palette);
                    break;
                case "IDAT" when !idatDone:
                    sawIdat = true;
                    idat.Write(data);
                    break;
                case "IEND":
                    if (at != file.Length)
                    {
                        throw new InvalidDataException($"expected the file to end after IEND, found {file.Length - at} more bytes.");
                    }

                    if (!sawIdat)
                    {
                        throw new InvalidDataException("expected IDAT image data before IEND, found none.");
                    }

                    if (header!.ColorType == 3 && palette is null)
                    {
                        throw new InvalidDataException("expected a PLTE chunk for a palette image (colour type 3), found none.");
                    }

                    using (var imageData = new ImageData(idat, header))
                    {
                        return Pixels(header, imageData, palette, transparency, whiteBackground);
                    }
                case "IHDR" or "PLTE" or "tRNS" or "IDAT":
                    throw new InvalidDataException($"chunk {type} at byte {at - 12 - (int)length} is out of order: IHDR first, PLTE and tRNS once each before the first IDAT, IDAT chunks consecutive.");
                default:
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw new InvalidDataException($"unknown critical chunk {type}: expected IHDR, PLTE, IDAT or IEND (ancillary chunks, lower-case first letter, are skipped).");
                    }

                    break;
            }
        }
    }

    /// <summary>The chunk type as text, or its hex bytes when they are not four ASCII letters.</summary>
    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                throw new InvalidDataException($"expected a chunk type of four ASCII letters, found bytes {Convert.ToHexString(type)}.");
            }
        }

        return Encoding.ASCII.GetString(type);
    }

    /// <summary>PLTE: 1 to 256 RGB entries, no more than the bit depth can index; not allowed for greyscale.</summary>
    private static byte[] Palette(ReadOnlySpan<byte> data, Header header)
    {
        if (header.ColorType is 0 or 4)
        {
            throw new InvalidDataException($"a PLTE chunk is not allowed in a greyscale image (colour type {header.ColorType}).");
        }

        var limit = header.ColorType == 3 ? 1 << header.BitDepth : 256;
        if (data.Length % 3 != 0 || data.Length == 0 || data.Length / 3 > limit)
        {
            throw new InvalidDataException($"PLTE: expected 3 × (1 to {limit}) bytes, found {data.Length}.");
        }

        return data.ToArray();
    }

    /// <summary>tRNS: one grey or RGB key colour (2 or 6 bytes), or one alpha per palette entry; not allowed with an alpha channel.</summary>
    private static byte[] Transparency(ReadOnlySpan<byte> data, Header header, byte[]? palette)
    {
        var (ok, expected) = header.ColorType switch
        {
            0 => (data.Length == 2, "2 bytes (one grey sample)"),
            2 => (data.Length == 6, "6 bytes (one RGB colour)"),
            3 when palette is null => (false, "a PLTE chunk before tRNS"),
            3 => (data.Length <= palette.Length / 3, $"at most {palette.Length / 3} bytes (one per palette entry)"),
            _ => (false, "no tRNS chunk in an image with an alpha channel"),
        };
        return ok ? data.ToArray() : throw new InvalidDataException($"tRNS in colour type {header.ColorType}: expected {expected}, found {data.Length} bytes.");
    }

    /// <summary>
    /// The inflated IDAT data, read row by row (<see cref="Next"/>) as the pixels are made, never held whole: it must hold
    /// exactly the bytes the header implies, checked in 64 bits before anything is allocated and again as it inflates.
    /// </summary>
    private sealed class ImageData : IDisposable
    {
        private readonly ZLibStream _zlib;
        private readonly long _expected;
        private readonly Header _header;
        private long _read;

        public ImageData(MemoryStream idat, Header header)
        {
            _header = header;
            _expected = header.ImageDataLength();
            if (idat.Length * MaxInflateRatio < _expected)
            {
                throw new InvalidDataException($"too little image data: expected {_expected} bytes for a {header} image, "
                    + $"but {idat.Length} bytes of IDAT data inflate to at most {idat.Length * MaxInflateRatio}.");
            }

            idat.Position = 0;
            _zlib = new ZLibStream(idat, CompressionMode.Decompress);
        }

        /// <summary>Fills <paramref name="buffer"/> with the next inflated bytes.</summary>
        public void Next(Span<byte> buffer)
        {
            var read = Read(buffer);
            _read += read;
            if (read < buffer.Length)
            {
                throw new InvalidDataException($"too little image data: expected {_expected} bytes for a {_header} image, the IDAT stream inflates to {_read}.");
            }
        }

        /// <summary>Checks that the stream ends where the image does.</summary>
        public void End()
        {
            Span<byte> one = stackalloc byte[1];
            if (Read(one) != 0)
            {
                throw new InvalidDataException($"too much image data: the IDAT stream inflates to more than the {_expected} bytes a {_header} image holds.");
            }
        }

        // The inflater's errors, corrupt data (InvalidDataException) and a stream asking for a preset dictionary (.NET's internal
        // ZLibException, an IOException), become InvalidDataException.
        private int Read(Span<byte> buffer)
        {
            try
            {
                return _zlib.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            }
            catch (Exception e) when (e is InvalidDataException || (e is IOException && e.GetType().Namespace == typeof(ZLibStream).Namespace))
            {
                throw new InvalidDataException($"the IDAT zlib stream is corrupt after {_read} inflated bytes ({e.Message}).", e);
            }
        }

        public void Dispose() => _zlib.Dispose();
    }
}
