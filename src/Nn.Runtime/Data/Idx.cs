using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace Nn;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed): two zero bytes, a type
/// code (0x08 = unsigned byte), the number of dimensions, each dimension as a big-endian int32, then the data.
/// </summary>
public static class Idx
{
    /// <summary>Reads an unsigned-byte IDX file.</summary>
    /// <returns>The dimensions and the raw bytes, row-major.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, a type other than unsigned byte, or a truncated file; the message says which and where.</exception>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return Read(stream, path, gzip ? null : file.Length);
        }
        catch (InvalidDataException e) when (gzip && e.InnerException is null && e.Message.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"IDX file '{path}': the gzip stream is corrupt ({e.Message}).", e);
        }
    }

    /// <summary>Reads images as <c>[count × rows·cols]</c> floats scaled from [0, 255] to [0, 1].</summary>
    /// <exception cref="InvalidDataException">The file is not a 3-dimensional unsigned-byte IDX file, or is truncated.</exception>
    public static (float[] Pixels, int Count, int Features) ReadImages(string path)
    {
        var (shape, data) = Read(path);
        if (shape.Length != 3)
        {
            throw new InvalidDataException($"IDX file '{path}' has {shape.Length} dimensions; images need 3 (count, rows, columns).");
        }

        var pixels = new float[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            pixels[i] = data[i] / 255f;
        }

        return (pixels, shape[0], shape[1] * shape[2]);
    }

    /// <summary>Reads labels as ints.</summary>
    /// <exception cref="InvalidDataException">The file is not a 1-dimensional unsigned-byte IDX file, or is truncated.</exception>
    public static int[] ReadLabels(string path)
    {
        var (shape, data) = Read(path);
        if (shape.Length != 1)
        {
            throw new InvalidDataException($"IDX file '{path}' has {shape.Length} dimensions; labels need 1 (count).");
        }

        return Array.ConvertAll(data, b => (int)b);
    }

    /// <summary>Reads an image file and its label file and checks that they hold the same number of samples.</summary>
    /// <exception cref="InvalidDataException">Either file is invalid, or the counts differ.</exception>
    public static Dataset<float> ReadDataset(string imagesPath, string labelsPath)
    {
        var (pixels, count, features) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labels.Length} labels; they must match.");
        }

        return new Dataset<float>(pixels, labels, features);
    }

    // Data of a .gz file (whose real length is unknown until it is read) is read in chunks of this size, so a header claiming
    // more than the stream holds costs at most what the stream really holds plus one chunk.
    private const int Chunk = 1 << 20;

    // fileLength: the real length of a plain file, null for a gzip stream.
    private static (int[] Shape, byte[] Data) Read(Stream stream, string path, long? fileLength)
    {
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, path, "the 4-byte magic number");
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"IDX file '{path}' starts with 0x{header[0]:X2}{header[1]:X2}{header[2]:X2}{header[3]:X2}, not an IDX magic number (0x0000TTDD)."));
        }

        if (header[2] != 0x08)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"IDX file '{path}' has element type 0x{header[2]:X2}; only 0x08 (unsigned byte) is supported."));
        }

        var rank = header[3];
        if (rank == 0)
        {
            throw new InvalidDataException($"IDX file '{path}' declares 0 dimensions.");
        }

        var shape = new int[rank];
        long total = 1;
        Span<byte> dimension = stackalloc byte[4];
        for (var i = 0; i < rank; i++)
        {
            ReadExactly(stream, dimension, path, $"dimension {i + 1} of {rank}");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dimension);
            if (shape[i] < 0)
            {
                throw new InvalidDataException($"IDX file '{path}' declares dimension {i + 1} as {shape[i]}.");
            }

            // 64-bit and checked at each dimension: [65536]×4 must not wrap to 0; an array holds at most Array.MaxLength bytes.
            total *= shape[i];
            if (total > Array.MaxLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"IDX file '{path}' declares shape [{string.Join("×", shape[..(i + 1)])}{(i + 1 < rank ? "×…" : string.Empty)}], "
                    + $"more than the {Array.MaxLength} elements an array can hold."));
            }
        }

        var what = $"{total} data bytes for shape [{string.Join("×", shape)}]";
        var headerLength = 4 + (4L * rank);
        if (fileLength is long length && total > length - headerLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"IDX file '{path}' is truncated: its header declares {what}, "
                + $"but the file has {length - headerLength} bytes after the {headerLength}-byte header."));
        }

        if (fileLength is not null || total <= Chunk)
        {
            var data = new byte[total];
            ReadExactly(stream, data, path, what);
            return (shape, data);
        }

        // gzip: read chunk by chunk, so a lying header fails when the stream ends instead of allocating what it claims.
        var chunks = new List<byte[]>();
        long read = 0;
        while (read < total)
        {
            var chunk = new byte[Math.Min(Chunk, total - read)];
            var filled = 0;
            while (filled < chunk.Length)
            {
                var n = stream.Read(chunk, filled, chunk.Length - filled);
                if (n == 0)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"IDX file '{path}' is truncated: it ends after {read + filled} of the {total} bytes of {what}."));
                }

                filled += n;
            }

            chunks.Add(chunk);
            read += chunk.Length;
        }

        var all = new byte[total];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(all, offset);
            offset += chunk.Length;
        }

        return (shape, all);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer.Slice(read));
            if (n == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"IDX file '{path}' is truncated: it ends after {read} of the {buffer.Length} bytes of {what}."));
            }

            read += n;
        }
    }
}
