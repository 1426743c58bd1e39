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
    /// <summary>Reads an unsigned-byte IDX file, plain or gzip-compressed (recognized by its first two bytes, 1F 8B).</summary>
    /// <returns>The dimensions and the raw bytes, row-major.</returns>
    /// <remarks>
    /// Memory is bounded by the file, never by what its header claims: a plain file must be exactly as long as its header
    /// says, and a gzip stream is read in 1 MiB chunks, so a lying header fails when the stream ends. Every malformed file
    /// (corrupt or truncated gzip data, a zlib stream asking for a preset dictionary, a wrong magic number, dimensions whose
    /// product does not fit an array, data shorter or longer than the header declares) is an
    /// <see cref="InvalidDataException"/> whose message starts with the path and says what is wrong.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The path is a directory, a pipe or a device; or the file is malformed (see remarks).</exception>
    /// <exception cref="IOException">The file could not be read (a disk error, or it is locked).</exception>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"IDX file '{path}' is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        // A pipe, a socket or a device reports a length of 0, so it is refused before it is opened (opening a FIFO blocks until a
        // writer comes; /dev/zero never ends).
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new InvalidDataException($"IDX file '{path}' is empty (or not a regular file: a pipe, a socket or a device).");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        if (!file.CanSeek)
        {
            throw new InvalidDataException($"IDX file '{path}' is not a regular file (a pipe, a socket or a device).");
        }

        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        if (!gzip)
        {
            return Read(file, path, length);
        }

        using var stream = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        var result = Read(stream, path, null);

        // .NET's GZipStream checks a member's CRC-32 when its trailer is there, but ends quietly when the file stops inside
        // the trailer and ignores bytes after the member. The last 4 bytes of a whole single-member file are its trailer's
        // ISIZE, the data's length mod 2³², so comparing them finds both a cut trailer and trailing bytes.
        Span<byte> size = stackalloc byte[4];
        var expected = (uint)(4 + (4L * result.Shape.Length) + result.Data.Length);
        if (length < 18 || RandomAccess.Read(file.SafeFileHandle, size, length - 4) != 4 || BinaryPrimitives.ReadUInt32LittleEndian(size) != expected)
        {
            var found = length < 18 ? "a file too short for one" : BinaryPrimitives.ReadUInt32LittleEndian(size).ToString(CultureInfo.InvariantCulture);
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"IDX file '{path}': the file does not end with the gzip trailer of its {expected} bytes of data (expected ISIZE {expected}, "
                + $"found {found}): "
                + $"it is truncated, has bytes after the gzip data, or holds several gzip members (recompress it as one)."));
        }

        return result;
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

        // With 0 images the data is empty whatever rows × columns claims, so that product is checked on its own.
        if (shape[1] == 0 || shape[2] == 0 || (long)shape[1] * shape[2] > Array.MaxLength)
        {
            throw new InvalidDataException($"IDX file '{path}' declares images of {shape[1]}×{shape[2]} pixels; expected 1 to {Array.MaxLength} pixels.");
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
            ReadExactly(stream, dimension, path, $"dimension {i + 1} of {rank}", 4 + (4L * i));
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
        if (fileLength is long length && total != length - headerLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"IDX file '{path}' {(total > length - headerLength ? "is truncated" : "has trailing bytes")}: its header declares {what}, "
                + $"but the file has {length - headerLength} bytes after the {headerLength}-byte header."));
        }

        if (fileLength is not null || total <= Chunk)
        {
            var data = new byte[total];
            ReadExactly(stream, data, path, what, headerLength);
            EnsureEnded(stream, path, what);
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
                var n = ReadSome(stream, chunk.AsSpan(filled), path, headerLength + read + filled);
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

        EnsureEnded(stream, path, what);
        var all = new byte[total];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(all, offset);
            offset += chunk.Length;
        }

        return (shape, all);
    }

    // A gzip file must end where its data ends: bytes after it (a second member, or garbage) are refused. A plain file's
    // length was compared with the header before reading.
    private static void EnsureEnded(Stream stream, string path, string what)
    {
        Span<byte> one = stackalloc byte[1];
        if (stream is GZipStream && ReadSome(stream, one, path, -1) != 0)
        {
            throw new InvalidDataException($"IDX file '{path}' has trailing bytes: its gzip data goes on after the {what}.");
        }
    }

    // One Read, with the decompressor's exceptions (InvalidDataException for corrupt data, the internal ZLibException, an
    // IOException, for a stream asking for a preset dictionary) turned into an InvalidDataException naming the file.
    // position: decompressed bytes read so far, for the message (-1: after the data).
    private static int ReadSome(Stream stream, Span<byte> buffer, string path, long position)
    {
        try
        {
            return stream.Read(buffer);
        }
        catch (Exception e) when (stream is GZipStream
            && (e is InvalidDataException || (e is IOException && e.GetType().Namespace == typeof(GZipStream).Namespace)))
        {
            var where = position < 0 ? "after the data" : string.Create(CultureInfo.InvariantCulture, $"after {position} decompressed bytes");
            throw new InvalidDataException($"IDX file '{path}': the gzip data is corrupt {where} ({e.Message}).", e);
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what, long position = 0)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = ReadSome(stream, buffer.Slice(read), path, position + read);
            if (n == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"IDX file '{path}' is truncated: it ends after {read} of the {buffer.Length} bytes of {what}."));
            }

            read += n;
        }
    }
}
