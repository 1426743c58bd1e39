using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Nn;

public static partial class Safetensors
{
    // The dtypes of the safetensors specification and their sizes in bytes (F4 and F6_*, packed below a byte, are not read).
    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1, ["F8_E8M0"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8, ["C64"] = 8,
    };

    // One tensor of a header, as written (shape and offsets in 64 bits, checked for overflow before use).
    private sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End, long Bytes)
    {
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }

    private sealed record Header(List<Entry> Entries, Dictionary<string, string> Metadata);

    // Where one tensor of the file goes: the network's tensor, and whether it is a PyTorch [out, in] weight to transpose.
    private readonly record struct Assignment(TensorInfo Target, Entry Entry, bool Transpose);

    // The header's JSON, checked as the specification says: an object first, valid UTF-8, each name once, metadata a map
    // of strings, every tensor with a known dtype, non-negative dimensions and two non-negative offsets.
    private static Header Parse(ReadOnlySpan<byte> header, string source)
    {
        if (header.IsEmpty || header[0] != (byte)'{')
        {
            var start = header.IsEmpty ? "nothing" : "byte 0x" + header[0].ToString("x2", CultureInfo.InvariantCulture);
            throw Invalid(source, $"its header starts with {start}, but the format requires '{{' (a JSON object) first (corrupted, or not a safetensors file)");
        }

        if (!Utf8.IsValid(header))
        {
            throw Invalid(source, $"its header is not valid UTF-8 (from byte {8 + FirstInvalidUtf8(header)} of the file), which the format requires");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"its header is not valid JSON ({e.Message}); it is not safetensors");
        }

        using (document)
        {
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Invalid(source, $"its header names '{property.Name}' twice, which the format forbids");
                }

                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, source);
                }
                else
                {
                    entries.Add(ReadEntry(property.Name, property.Value, source));
                }
            }

            return new Header(entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"its __metadata__ is a JSON {value.ValueKind}, but the format requires an object of strings");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"its __metadata__ value '{item.Name}' is a JSON {item.Value.ValueKind}, but the format allows only strings");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Invalid(source, $"its __metadata__ names '{item.Name}' twice, which the format forbids");
            }
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"tensor '{name}' is a JSON {value.ValueKind}, but the format requires an object with dtype, shape and data_offsets");
        }

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            var seen = field.Name switch
            {
                "dtype" => dtype is not null,
                "shape" => shape is not null,
                "data_offsets" => offsets is not null,
                _ => false,
            };
            if (seen)
            {
                throw Invalid(source, $"tensor '{name}' has '{field.Name}' twice, which the format forbids");
            }

            switch (field.Name)
            {
                case "dtype":
                    dtype = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : throw Invalid(source, $"tensor '{name}' has a dtype that is not a string");
                    break;
                case "shape":
                    shape = ReadLongs(field.Value, "shape", name, source);
                    break;
                case "data_offsets":
                    offsets = ReadLongs(field.Value, "data_offsets", name, source);
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            var missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Invalid(source, $"tensor '{name}' has no {missing}");
        }

        if (!DTypeSizes.ContainsKey(dtype))
        {
            throw Invalid(source, $"tensor '{name}' has dtype '{dtype}', which is not a safetensors dtype this reader knows ({string.Join(", ", DTypeSizes.Keys)})");
        }

        if (offsets.Length != 2)
        {
            throw Invalid(source, $"tensor '{name}' has {offsets.Length} data_offsets, expected 2 (begin and end)");
        }

        long bytes = DTypeSizes[dtype];
        try
        {
            foreach (var d in shape)
            {
                bytes = checked(bytes * d);
            }
        }
        catch (OverflowException)
        {
            throw Invalid(source, $"tensor '{name}' is {dtype} [{string.Join(", ", shape)}], whose size in bytes does not fit in 64 bits");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1], bytes);
    }

    private static long[] ReadLongs(JsonElement array, string what, string tensor, string source)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, $"tensor '{tensor}' has a {what} that is not an array");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value))
            {
                throw Invalid(source, $"tensor '{tensor}' has a {what} entry that is not an integer ({item.GetRawText()})");
            }

            if (value < 0)
            {
                throw Invalid(source, $"tensor '{tensor}' has a negative {what} entry ({value})");
            }

            values[i++] = value;
        }

        return values;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }

    // Each tensor's byte length agrees with its dtype and shape (computed in checked 64-bit arithmetic by ReadEntry), and the offsets tile the data
    // from 0 without gaps or overlaps, as the specification requires. Returns the data's length.
    private static long CheckOffsets(Header header, string source)
    {
        foreach (var e in header.Entries)
        {
            if (e.Begin > e.End)
            {
                throw Invalid(source, $"tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}]: it begins after it ends");
            }

            if (e.Bytes != e.End - e.Begin)
            {
                throw Invalid(source, $"tensor '{e.Name}' is {e.DType} {e.ShapeText}, {e.Bytes} bytes, but its data_offsets [{e.Begin}, {e.End}] hold {e.End - e.Begin} bytes");
            }
        }

        long cursor = 0;
        Entry? previous = null;
        foreach (var e in header.Entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < cursor)
            {
                throw Invalid(source, $"tensors '{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}]) and '{e.Name}' ([{e.Begin}, {e.End}]) overlap, "
                    + "which the format forbids");
            }

            if (e.Begin > cursor)
            {
                throw Invalid(source, $"bytes {cursor} to {e.Begin} of the data, before tensor '{e.Name}', belong to no tensor (a gap, which the format forbids)");
            }

            cursor = e.End;
            previous = e;
        }

        if (cursor > Array.MaxLength)
        {
            throw Invalid(source, $"its tensors span {cursor} data bytes, more than an array can hold");
        }

        return cursor;
    }

    // Matches the header to the network (Nn's layout or PyTorch's, told apart by the names), then checks the offsets.
    private static List<Assignment> Plan<T>(Header header, string source, Goal target, out long dataLength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = IsNnLayout(header, target) ? NnPlan<T>(header, source, target) : PyTorchPlan(header, source, target);
        dataLength = CheckOffsets(header, source);
        return plan;
    }

    private static bool IsNnLayout(Header header, Goal target)
    {
        if (target.Layers is null || (header.Metadata.TryGetValue("format", out var format) && format == "nn") || header.Entries.Count == 0)
        {
            return true;
        }

        var names = target.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return header.Entries.Any(e => names.Contains(e.Name)) || !header.Entries.All(e => e.Name.Contains('.', StringComparison.Ordinal));
    }

    private static List<Assignment> NnPlan<T>(Header header, string source, Goal target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckArchitecture(header.Metadata, source, target.Architecture);
        var byName = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var plan = new List<Assignment>(target.Tensors.Count);
        foreach (var tensor in target.Tensors)
        {
            if (!byName.TryGetValue(tensor.Name, out var entry))
            {
                throw Invalid(source, $"it has no tensor '{tensor.Name}' (expected {DType<T>()} {tensor.ShapeText})");
            }

            if (entry.DType != DType<T>())
            {
                throw Invalid(source, $"tensor '{tensor.Name}' has dtype {entry.DType}, expected {DType<T>()}");
            }

            if (!entry.Shape.AsSpan().SequenceEqual(tensor.Shape.Select(d => (long)d).ToArray()))
            {
                throw Invalid(source, $"tensor '{tensor.Name}' has shape {entry.ShapeText}, expected {tensor.ShapeText}");
            }

            plan.Add(new Assignment(tensor, entry, Transpose: false));
        }

        var expected = target.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in header.Entries)
        {
            if (!expected.Contains(entry.Name))
            {
                throw Invalid(source, $"it has a tensor '{entry.Name}' this network does not have (expected {string.Join(", ", expected)})");
            }
        }

        return plan;
    }

    private static void CheckArchitecture(Dictionary<string, string> metadata, string source, string architecture)
    {
        if (metadata.TryGetValue("architecture", out var written) && Flattened(written) != Flattened(architecture))
        {
            throw Invalid(source, $"it was saved from '{written}', but this network is '{architecture}'");
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

    // Converts each planned tensor from the file's dtype into the staging buffer, transposing PyTorch's [out, in] weights.
    private static void Fill<T>(ReadOnlySpan<byte> data, List<Assignment> plan, T[] all)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (target, entry, transpose) in plan)
        {
            var bytes = data.Slice((int)entry.Begin, (int)(entry.End - entry.Begin));
            var destination = all.AsSpan(target.Offset, target.Length);
            if (!transpose)
            {
                Convert(bytes, entry.DType, destination);
                continue;
            }

            var rows = (int)entry.Shape[0];      // out
            var columns = (int)entry.Shape[1];   // in
            var file = new T[target.Length];
            Convert<T>(bytes, entry.DType, file);
            for (var o = 0; o < rows; o++)
            {
                for (var i = 0; i < columns; i++)
                {
                    destination[(i * rows) + o] = file[(o * columns) + i];
                }
            }
        }
    }

    // F32, F64, F16 (System.Half) and BF16 (the upper 16 bits of an F32) to T, rounding to nearest when T is narrower.
    private static void Convert<T>(ReadOnlySpan<byte> bytes, string dtype, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dtype == DType<T>() && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, T>(bytes).CopyTo(destination);
            return;
        }

        for (var k = 0; k < destination.Length; k++)
        {
            destination[k] = dtype switch
            {
                "F32" => T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * k)..])),
                "F64" => T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * k)..])),
                "F16" => T.CreateTruncating((float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * k)..])),
                "BF16" => T.CreateTruncating(BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * k)..]) << 16)),
                _ => throw new InvalidOperationException("dtype " + dtype + " was not refused when the file was planned"),
            };
        }
    }
}
