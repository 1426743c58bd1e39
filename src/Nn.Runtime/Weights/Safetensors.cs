using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn;

/// <summary>
/// Weights files in the safetensors format (read by PyTorch, JAX, …): an 8-byte little-endian header length,
/// a JSON header with each tensor's dtype, shape and byte offsets (plus <c>__metadata__</c>), then the raw
/// little-endian data. Files are read strictly as the specification says (see docs/interop.md): duplicate names,
/// overlapping or gapped offsets, trailing bytes, non-string metadata and invalid UTF-8 are refused.
/// </summary>
public static partial class Safetensors
{
    /// <summary>
    /// Writes the tensors of <paramref name="parameters"/> to <paramref name="path"/>. The file is written beside the
    /// target under a temporary name and then renamed over it, so a crash mid-save leaves the previous file intact;
    /// temporary files that killed processes left beside it are removed.
    /// </summary>
    public static void Save<T>(string path, ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var items = new List<Item>(tensors.Count);
        foreach (var tensor in tensors)
        {
            items.Add(new Item(tensor.Name, DType<T>(), tensor.Shape, tensor.Offset, tensor.Length, null));
        }

        Write(path, parameters, items, "\"format\":\"nn\",\"architecture\":" + JsonSerializerString(architecture));
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
    /// Writes a network's parameters and state in <paramref name="layout"/>: Nn's own, or a PyTorch <c>state_dict</c> of the
    /// equivalent <c>nn.Sequential</c> that <c>model.load_state_dict(safetensors.torch.load_file(path))</c> accepts
    /// (Linear weights transposed to <c>[out, in]</c>, each of <paramref name="layers"/> taking the next module index).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor a layer names is not in <paramref name="tensors"/> or <paramref name="stateTensors"/>.</exception>
    public static void Save<T>(
        string path, WeightsLayout layout, ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, ReadOnlySpan<T> state,
        IReadOnlyList<TensorInfo> stateTensors, string architecture, IReadOnlyList<LayerInfo> layers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(layers);
        if (layout == WeightsLayout.Nn)
        {
            Save<T>(path, parameters, tensors, state, stateTensors, architecture);
            return;
        }

        if (layout != WeightsLayout.PyTorch)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Expected WeightsLayout.Nn or WeightsLayout.PyTorch.");
        }

        var (all, allTensors) = Combine<T>(parameters.Length, tensors, state.Length, stateTensors);
        parameters.CopyTo(all);
        state.CopyTo(all.AsSpan(parameters.Length));
        Write(path, all, PyTorchItems<T>(all, allTensors, layers), "\"format\":\"pt\",\"nn_architecture\":" + JsonSerializerString(architecture));
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
        => Load<T>(path, parameters, tensors, state, stateTensors, architecture, null, null);

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="parameters"/>, checking every tensor against the compiled
    /// architecture first: nothing is written unless the whole file is valid.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The path is a directory or not a regular file, the file breaks the safetensors specification (trailing bytes, gaps,
    /// overlaps, duplicate names, …), is truncated, corrupted or not safetensors, a tensor is missing or extra, or a tensor's dtype
    /// or shape differs from the network's; the message names the path, the tensor, the expected and the found value.
    /// </exception>
    public static void Load<T>(string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Load<T>(path, parameters, tensors, default, Array.Empty<TensorInfo>(), architecture, null, null);

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="parameters"/> and <paramref name="state"/>: a file in Nn's layout, or a
    /// PyTorch <c>state_dict</c> of the equivalent <c>nn.Sequential</c> (told apart by the tensor names; F32, F64, F16 and BF16
    /// converted to <typeparamref name="T"/>, Linear weights transposed), as <see cref="WeightsLayout"/> describes. Nothing is
    /// written unless the whole file is valid; the file is never read beyond its header and the data the network can need.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="parameters">The network's parameters.</param>
    /// <param name="tensors">The tensors of <paramref name="parameters"/>.</param>
    /// <param name="state">The network's state (BatchNorm running statistics), empty without.</param>
    /// <param name="stateTensors">The tensors of <paramref name="state"/>.</param>
    /// <param name="architecture">The declaration, checked against the one an Nn file records.</param>
    /// <param name="layers">The forward pass, to map PyTorch module names; null to accept only Nn's layout.</param>
    /// <param name="options">The PyTorch module names when they are not positional; null for none.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file, or the file is malformed or does not fit the network.</exception>
    public static void Load<T>(
        string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        string architecture, IReadOnlyList<LayerInfo>? layers, WeightsOptions? options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        var source = $"Weights file '{path}'";
        if (Directory.Exists(path))
        {
            throw Invalid(source, "it is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        }

        // A pipe, a device or a socket reports a length of 0 (st_size), so it is refused here before it is opened (opening a FIFO
        // blocks until a writer comes; /dev/zero never ends). .NET's FileAttributes say Normal for both, so they cannot be used.
        var fileLength = new FileInfo(path).Length;
        if (fileLength < 8)
        {
            var what = fileLength == 0 ? " (empty, or not a regular file: a pipe, a socket or a device)" : string.Empty;
            throw Invalid(source, $"it is {fileLength} bytes long, shorter than the 8-byte header length{what}");
        }

        var (all, target) = Target<T>(parameters, tensors, state, stateTensors, architecture, layers, options);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            if (!file.CanSeek)
            {
                throw Invalid(source, "it is not a regular file (a pipe, a socket or a device)");
            }

            ReadStream(file, fileLength, source, all, target);
        }

        all.AsSpan(0, parameters.Length).CopyTo(parameters);
        all.AsSpan(parameters.Length).CopyTo(state);
    }

    /// <summary>
    /// As <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, Span{T}, IReadOnlyList{TensorInfo}, string, IReadOnlyList{LayerInfo}?, WeightsOptions?)"/>,
    /// from a stream read from its current position to its end (seekable or not: a network stream works). It reads the 8-byte
    /// length, a header no longer than this network's can need, then exactly the data the header announces once every tensor
    /// was checked, and refuses a stream with bytes after them.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is malformed, truncated, longer than its tensors, or does not fit the network.</exception>
    public static void Load<T>(
        Stream stream, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        string architecture, IReadOnlyList<LayerInfo>? layers, WeightsOptions? options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        var (all, target) = Target<T>(parameters, tensors, state, stateTensors, architecture, layers, options);
        long? remaining = null;
        if (stream.CanSeek)
        {
            remaining = Math.Max(0, stream.Length - stream.Position);
        }

        ReadStream(stream, remaining, "The weights stream", all, target);
        all.AsSpan(0, parameters.Length).CopyTo(parameters);
        all.AsSpan(parameters.Length).CopyTo(state);
    }

    /// <summary>
    /// As <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, Span{T}, IReadOnlyList{TensorInfo}, string, IReadOnlyList{LayerInfo}?, WeightsOptions?)"/>,
    /// from the bytes of a whole file in memory (an embedded resource, a download, …).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are malformed, truncated, longer than their tensors, or do not fit the network.</exception>
    public static void Load<T>(
        ReadOnlySpan<byte> bytes, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        string architecture, IReadOnlyList<LayerInfo>? layers, WeightsOptions? options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string Source = "The weights bytes";
        var (all, target) = Target<T>(parameters, tensors, state, stateTensors, architecture, layers, options);
        if (bytes.Length < 8)
        {
            throw Invalid(Source, $"they are {bytes.Length} bytes long, shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        CheckHeaderLength(headerLength, bytes.Length - 8, Source, target);
        var header = bytes.Slice(8, (int)headerLength);
        var plan = Plan<T>(Parse(header, Source), Source, target, out var dataLength);
        CheckTotal(bytes.Length, (long)headerLength, dataLength, Source);
        Fill(bytes.Slice(8 + (int)headerLength), plan, all);
        all.AsSpan(0, parameters.Length).CopyTo(parameters);
        all.AsSpan(parameters.Length).CopyTo(state);
    }

    private static void ReadStream<T>(Stream stream, long? remaining, string source, T[] all, Goal target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadAll(stream, prefix, source, "its 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        CheckHeaderLength(headerLength, remaining - 8, source, target);
        var header = new byte[headerLength];
        ReadAll(stream, header, source, $"its {headerLength}-byte header");
        var plan = Plan<T>(Parse(header, source), source, target, out var dataLength);
        if (remaining is { } total)
        {
            CheckTotal(total, (long)headerLength, dataLength, source);
        }

        // Every tensor was matched to one of the network's (or is a counter PyTorch keeps and Nn ignores) and the offsets tile the
        // data, so dataLength is at most 8 bytes per element the network has: it is what the network needs, never what a header claims.
        var data = new byte[dataLength];
        var read = Read(stream, data);
        if (read < dataLength)
        {
            throw Invalid(source, $"its tensors span {dataLength} data bytes but only {read} are within the stream (truncated, or changed while being read)");
        }

        if (remaining is null && stream.ReadByte() >= 0)
        {
            throw Invalid(source, $"it goes on after the 8-byte length, the {headerLength}-byte header and the {dataLength} data bytes its tensors span "
                + "(trailing bytes, which the format forbids)");
        }

        Fill(data, plan, all);
    }

    private static void ReadAll(Stream stream, Span<byte> buffer, string source, string what)
    {
        var read = Read(stream, buffer);
        if (read < buffer.Length)
        {
            throw Invalid(source, $"it ended after {read} of {what} (truncated, or changed while being read)");
        }
    }

    // Reads until the buffer is full or the stream ends; returns the bytes read.
    private static int Read(Stream stream, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }

    private static void CheckHeaderLength(ulong headerLength, long? available, string source, Goal target)
    {
        if (headerLength > (ulong)target.HeaderLimit)
        {
            throw Invalid(source, $"its header length is {headerLength} bytes, more than the {target.HeaderLimit} bytes a header for this network's "
                + $"{target.Tensors.Count} tensors can need (corrupted, or not a safetensors file)");
        }

        if (available is { } after && (long)headerLength > after)
        {
            throw Invalid(source, $"its header length is {headerLength} bytes but the file has {Math.Max(0, after)} bytes after it (truncated, or not a safetensors file)");
        }
    }

    private static void CheckTotal(long total, long headerLength, long dataLength, string source)
    {
        var expected = 8 + headerLength + dataLength;
        if (total < expected)
        {
            throw Invalid(source, $"its tensors span {dataLength} data bytes but only {total - 8 - headerLength} are within the file (truncated or corrupted)");
        }

        if (total > expected)
        {
            throw Invalid(source, $"it is {total} bytes long, but the 8-byte length, the {headerLength}-byte header and the {dataLength} data bytes "
                + $"its tensors span make {expected} bytes (trailing bytes, which the format forbids, or not this network's file)");
        }
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

    private static (T[] All, Goal Target) Target<T>(
        Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        string architecture, IReadOnlyList<LayerInfo>? layers, WeightsOptions? options)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var (all, allTensors) = Combine<T>(parameters.Length, tensors, state.Length, stateTensors);
        foreach (var tensor in allTensors)
        {
            if (tensor.Offset < 0 || (long)tensor.Offset + tensor.Length > all.Length)
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' reaches past the {all.Length} values of the buffers.", nameof(tensors));
            }
        }

        return (all, new Goal(allTensors, architecture, layers, options));
    }

    // What a load must fill: the tensors (state offsets after the parameters'), the declaration, the layers for PyTorch names.
    private sealed record Goal(IReadOnlyList<TensorInfo> Tensors, string Architecture, IReadOnlyList<LayerInfo>? Layers, WeightsOptions? Options)
    {
        // A header names each tensor once with its dtype, shape and offsets (about 100 bytes) and may carry metadata: 1 MiB plus
        // 4 KiB per tensor is far more than any writer needs for this network, and bounds what a hostile header can make us allocate.
        public long HeaderLimit => (1L << 20) + (4096L * Tensors.Count);
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

    private static InvalidDataException Invalid(string source, string what) => new($"{source} cannot be loaded: {what}.");
}
