using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Nn;

/// <summary>
/// Weights files in the safetensors format (read by PyTorch, JAX, …): an 8-byte little-endian header length,
/// a JSON header with each tensor's dtype, shape and byte offsets (plus <c>__metadata__</c>), then the raw
/// little-endian data.
/// </summary>
public static partial class Safetensors
{
    private const long MaxHeader = 100 << 20;

    /// <summary>
    /// Writes the tensors of <paramref name="parameters"/> to <paramref name="path"/>. The file is written beside the
    /// target under a temporary name and then renamed over it, so a crash mid-save leaves the previous file intact.
    /// </summary>
    public static void Save<T>(string path, ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var dtype = DType<T>();
        var size = Marshal.SizeOf<T>();
        var header = new StringBuilder("{");
        long position = 0;
        foreach (var tensor in tensors)
        {
            var bytes = (long)tensor.Length * size;
            header.Append(JsonSerializerString(tensor.Name)).Append(":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":")
                .Append(tensor.ShapeText.Replace(" ", string.Empty, StringComparison.Ordinal))
                .Append(",\"data_offsets\":[").Append(position.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((position + bytes).ToString(CultureInfo.InvariantCulture)).Append("]},");
            position += bytes;
        }

        header.Append("\"__metadata__\":{\"format\":\"nn\",\"architecture\":").Append(JsonSerializerString(architecture)).Append("}}");
        while ((header.Length + 8) % 8 != 0)
        {
            header.Append(' ');   // pad so the data starts 8-byte aligned, as the format recommends
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Unique per call, not only per process: two threads saving to one path must not share (and delete) one temporary file.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
            + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
                file.Write(length);
                file.Write(headerBytes);
                foreach (var tensor in tensors)
                {
                    var data = parameters.Slice(tensor.Offset, tensor.Length);
                    if (BitConverter.IsLittleEndian)
                    {
                        file.Write(MemoryMarshal.AsBytes(data));
                    }
                    else
                    {
                        throw new PlatformNotSupportedException("Saving safetensors on a big-endian machine is not supported.");
                    }
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            FlushDirectory(directory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // Makes the rename durable: on Linux a rename is only on disk once the directory holding it is fsync'd.
    // .NET cannot open a directory (File.OpenHandle throws UnauthorizedAccessException for one, checked on Linux), so this calls
    // libc open/fsync directly; elsewhere, and if the call fails (a file system without directory fsync), it does nothing:
    // the file's own data was flushed before the rename, so the worst case is the previous file after a power loss.
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var fd = Posix.Open(directory, 0 /* O_RDONLY; open is variadic, but the mode argument is only read with O_CREAT */);
            if (fd >= 0)
            {
                _ = Posix.Fsync(fd);
                _ = Posix.Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A Linux without a library the runtime resolves as "libc": the save itself succeeded.
        }
    }

    private static partial class Posix
    {
        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync")]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close")]
        internal static partial int Close(int fd);
    }

    /// <summary>
    /// Writes the tensors of <paramref name="parameters"/> and then those of <paramref name="state"/> (values a network keeps
    /// besides its parameters, such as BatchNorm's running statistics) to one file, as <see cref="Save{T}(string, ReadOnlySpan{T}, IReadOnlyList{TensorInfo}, string)"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor name appears in both lists.</exception>
    public static void Save<T>(
        string path, ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, ReadOnlySpan<T> state, IReadOnlyList<TensorInfo> stateTensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (all, allTensors) = Combine<T>(parameters.Length, tensors, state.Length, stateTensors);
        parameters.CopyTo(all);
        state.CopyTo(all.AsSpan(parameters.Length));
        Save<T>(path, all, allTensors, architecture);
    }

    /// <summary>
    /// Reads a file written by <see cref="Save{T}(string, ReadOnlySpan{T}, IReadOnlyList{TensorInfo}, ReadOnlySpan{T}, IReadOnlyList{TensorInfo}, string)"/>
    /// into <paramref name="parameters"/> and <paramref name="state"/>, with every check of
    /// <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, string)"/>: nothing is written to either buffer unless the whole file is valid.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid for these tensors; the message names the tensor, the expected and the found value.</exception>
    public static void Load<T>(
        string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (all, allTensors) = Combine<T>(parameters.Length, tensors, state.Length, stateTensors);
        Load<T>(path, all, allTensors, architecture);
        all.AsSpan(0, parameters.Length).CopyTo(parameters);
        all.AsSpan(parameters.Length).CopyTo(state);
    }

    // One buffer [parameters | state] and one tensor list, the state's offsets moved past the parameters.
    private static (T[] All, TensorInfo[] Tensors) Combine<T>(int parameters, IReadOnlyList<TensorInfo> tensors, int state, IReadOnlyList<TensorInfo> stateTensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(stateTensors);
        var all = new TensorInfo[tensors.Count + stateTensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < all.Length; i++)
        {
            var tensor = i < tensors.Count ? tensors[i] : stateTensors[i - tensors.Count] with { Offset = stateTensors[i - tensors.Count].Offset + parameters };
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' is named twice.", nameof(stateTensors));
            }

            all[i] = tensor;
        }

        return (new T[parameters + state], all);
    }

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="parameters"/>, checking every tensor against the compiled
    /// architecture first: nothing is written unless the whole file is valid.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The path is a directory or not a regular file, the file is longer than the header and these tensors' data (trailing bytes),
    /// the file is truncated, corrupted or not safetensors, a tensor is missing or extra, or a tensor's dtype or shape differs
    /// from the network's; the message names the tensor, the expected and the found value.
    /// </exception>
    public static void Load<T>(string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (Directory.Exists(path))
        {
            throw Invalid(path, "it is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        }

        var bytes = ReadBounded(path, tensors, Marshal.SizeOf<T>());
        var staged = new T[parameters.Length];
        Read(bytes, path, staged, tensors, architecture);
        staged.CopyTo(parameters);
    }

    // Reads the header length, then at most the header and the data these tensors need: never the whole file whatever its size.
    // A pipe, a device or a socket reports a length of 0 (st_size), so it is refused here before it is opened (opening a FIFO
    // blocks until a writer comes; /dev/zero never ends). .NET's FileAttributes say Normal for both, so they cannot be used.
    private static byte[] ReadBounded(string path, IReadOnlyList<TensorInfo> tensors, int size)
    {
        var fileLength = new FileInfo(path).Length;
        if (fileLength < 8)
        {
            var what = fileLength == 0 ? " (empty, or not a regular file: a pipe, a socket or a device)" : string.Empty;
            throw Invalid(path, $"it is {fileLength} bytes long, shorter than the 8-byte header length{what}");
        }

        long dataNeeded = 0;
        foreach (var tensor in tensors)
        {
            dataNeeded += (long)tensor.Length * size;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (!file.CanSeek)
        {
            throw Invalid(path, "it is not a regular file (a pipe, a socket or a device)");
        }

        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeader || (long)headerLength > fileLength - 8)
        {
            throw Invalid(path,
                $"its header length is {headerLength} bytes but the file has {fileLength - 8} bytes after it (truncated, or not a safetensors file)");
        }

        var expected = 8 + (long)headerLength + dataNeeded;
        if (fileLength > expected)
        {
            throw Invalid(path, $"it is {fileLength} bytes long, but the 8-byte length, the {headerLength}-byte header and the {dataNeeded} data bytes "
                + $"this network's tensors need make {expected} bytes (trailing bytes, which the format forbids, or not this network's file)");
        }

        if (expected > Array.MaxLength)
        {
            throw Invalid(path, $"it would need {expected} bytes in memory, more than an array can hold");
        }

        var bytes = new byte[fileLength];
        prefix.CopyTo(bytes);
        var read = 8;
        while (read < bytes.Length)
        {
            var n = file.Read(bytes, read, bytes.Length - read);
            if (n == 0)
            {
                throw Invalid(path, $"it ended after {read} of the {fileLength} bytes it had when opened (changed while being read)");
            }

            read += n;
        }

        return bytes;
    }

    private static void Read<T>(byte[] bytes, string path, T[] staged, IReadOnlyList<TensorInfo> tensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bytes.Length < 8)
        {
            throw Invalid(path, $"it is {bytes.Length} bytes long, shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeader || (long)headerLength > bytes.Length - 8)
        {
            throw Invalid(path, $"its header length is {headerLength} bytes but the file has {bytes.Length - 8} bytes after it (truncated, or not a safetensors file)");
        }

        var dataStart = 8 + (int)headerLength;
        var dataLength = bytes.Length - dataStart;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Weights file '{path}' is not safetensors: its header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "its header is not a JSON object");
            }

            CheckArchitecture(document.RootElement, path, architecture);
            var expected = new HashSet<string>(StringComparer.Ordinal);
            var size = Marshal.SizeOf<T>();
            foreach (var tensor in tensors)
            {
                expected.Add(tensor.Name);
                if (!document.RootElement.TryGetProperty(tensor.Name, out var entry) || entry.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(path, $"it has no tensor '{tensor.Name}' (expected {DType<T>()} {tensor.ShapeText})");
                }

                var dtype = entry.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (dtype != DType<T>())
                {
                    throw Invalid(path, $"tensor '{tensor.Name}' has dtype {dtype ?? "(none)"}, expected {DType<T>()}");
                }

                var shape = ReadInts(entry, "shape", path, tensor.Name);
                if (!SameShape(shape, tensor.Shape))
                {
                    throw Invalid(path, $"tensor '{tensor.Name}' has shape [{string.Join(", ", shape)}], expected {tensor.ShapeText}");
                }

                var offsets = ReadInts(entry, "data_offsets", path, tensor.Name);
                var bytesNeeded = (long)tensor.Length * size;
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != bytesNeeded || offsets[1] > dataLength)
                {
                    throw Invalid(path, $"tensor '{tensor.Name}' has data_offsets [{string.Join(", ", offsets)}], expected {bytesNeeded} bytes within the {dataLength} data bytes (truncated or corrupted)");
                }

                var source = MemoryMarshal.Cast<byte, T>(bytes.AsSpan(dataStart + (int)offsets[0], (int)bytesNeeded));
                source.CopyTo(staged.AsSpan(tensor.Offset, tensor.Length));
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name != "__metadata__" && !expected.Contains(property.Name))
                {
                    throw Invalid(path, $"it has a tensor '{property.Name}' this network does not have (expected {string.Join(", ", expected)})");
                }
            }
        }
    }

    private static void CheckArchitecture(JsonElement root, string path, string architecture)
    {
        if (root.TryGetProperty("__metadata__", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("architecture", out var written) && written.ValueKind == JsonValueKind.String
            && Flattened(written.GetString()!) != Flattened(architecture))
        {
            throw Invalid(path, $"it was saved from '{written.GetString()}', but this network is '{architecture}'");
        }
    }

    // "[Input(28, 28)] [Affine(100), …]" → "[Input(784)] [Affine(100), …]": a network reads its input flattened, so two
    // declarations that differ only in how they write the input's shape have identical tensors and the same forward pass.
    // Anything that does not parse as numbers is left as it is (and then compared as written).
    private static string Flattened(string architecture)
    {
        const string Prefix = "[Input(";
        var close = architecture.IndexOf(")", StringComparison.Ordinal);
        if (!architecture.StartsWith(Prefix, StringComparison.Ordinal) || close < 0)
        {
            return architecture;
        }

        var inside = architecture[Prefix.Length..close];
        var precision = inside.IndexOf(", Precision", StringComparison.Ordinal);
        var dimensions = precision < 0 ? inside : inside[..precision];
        long product = 1;
        foreach (var part in dimensions.Split(','))
        {
            if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var dimension) || dimension <= 0)
            {
                return architecture;
            }

            product = Math.Min(product * dimension, int.MaxValue + 1L);
        }

        var rest = precision < 0 ? string.Empty : inside[precision..];
        return Prefix + product.ToString(CultureInfo.InvariantCulture) + rest + architecture[close..];
    }

    private static bool SameShape(long[] found, int[] expected)
    {
        if (found.Length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static long[] ReadInts(JsonElement entry, string name, string path, string tensor)
    {
        if (!entry.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(path, $"tensor '{tensor}' has no {name} array");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i++]))
            {
                throw Invalid(path, $"tensor '{tensor}' has a {name} entry that is not an integer");
            }
        }

        return values;
    }

    private static string DType<T>() => typeof(T) == typeof(float) ? "F32" : typeof(T) == typeof(double) ? "F64" : throw new NotSupportedException(typeof(T).Name);

    private static string JsonSerializerString(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    private static InvalidDataException Invalid(string path, string what) => new($"Weights file '{path}' cannot be loaded: {what}.");
}
