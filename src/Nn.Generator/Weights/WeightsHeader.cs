using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Nn.Generator.Weights;

/// <summary>One tensor of a safetensors header: name, dtype, shape and where its bytes are.</summary>
internal sealed record WeightsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// A weights file as the analyzer sees it: the header-only text file that the package's build wiring (Nn.Weights.targets)
/// writes for each <c>NnWeights</c> item, parsed and checked as strictly as the runtime's reader checks the file itself
/// (src/Nn.Runtime/Weights/Safetensors.Reading.cs), so that a file the analyzer accepts is one <c>Load</c> accepts.
/// </summary>
/// <remarks>
/// The text is <c>nn-weights 1</c>, <c>path=</c>, <c>length=</c> (the file's size), then either <c>error=</c> (the file could not
/// be read as safetensors) or <c>header=</c> followed by the JSON header to the end. The generator targets netstandard2.0 and
/// runs inside the compiler, where System.Text.Json is not ours to load; a safetensors header is a small, flat JSON object, so
/// it is read by the small strict reader below (depth-limited, duplicate keys refused, as the runtime refuses them).
/// </remarks>
internal sealed class WeightsHeader
{
    public const string Extension = ".nnweights";

    private const string Magic = "nn-weights 1";

    private WeightsHeader(
        string path, string? error, IReadOnlyList<WeightsEntry> entries, IReadOnlyDictionary<string, string> metadata, long headerBytes = 0)
    {
        Path = path;
        HeaderBytes = headerBytes;
        Error = error;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The <c>NnWeights</c> item's path, '/'-separated, as <c>[Weights]</c> names it.</summary>
    public string Path { get; }

    /// <summary>Why the file is not a usable safetensors file, or null.</summary>
    public string? Error { get; }

    /// <summary>The JSON header's length in bytes, as the file's first 8 bytes give it.</summary>
    public long HeaderBytes { get; }

    /// <summary>The tensors in header order (metadata excluded).</summary>
    public IReadOnlyList<WeightsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// One line for the generated documentation: the file's size and tensors, e.g. <c>318,328 bytes: 1.weight F32 [100, 784],
    /// 1.bias F32 [100], …</c>, or why it cannot be read.
    /// </summary>
    public string Describe(long? length = null)
    {
        if (Error is not null)
        {
            return "not readable as safetensors: " + Error;
        }

        const int Listed = 12;
        var tensors = string.Join(", ", Entries.Take(Listed).Select(e => $"{e.Name} {e.DType} {e.ShapeText}"));
        var more = Entries.Count > Listed ? $" and {Entries.Count - Listed} more" : string.Empty;
        var format = Metadata.TryGetValue("format", out var f) ? $" (format '{f}')" : string.Empty;
        return $"{Entries.Count} tensors{format}: {tensors}{more}";
    }

    /// <summary>The path a text of this kind describes, or null when it is not one (so other additional files are skipped).</summary>
    public static string? PathOf(string text)
    {
        if (!text.StartsWith(Magic + "\n", StringComparison.Ordinal))
        {
            return null;
        }

        var start = Magic.Length + 1;
        var end = text.IndexOf('\n', start);
        return end > start && text.Substring(start, end - start) is var line && line.StartsWith("path=", StringComparison.Ordinal)
            ? line.Substring(5)
            : null;
    }

    /// <summary>Reads a header text; never throws (what is wrong becomes <see cref="Error"/>).</summary>
    public static WeightsHeader Read(string text)
    {
        var path = PathOf(text) ?? string.Empty;
        try
        {
            long? length = null;
            var position = text.IndexOf('\n') + 1;
            while (position > 0 && position < text.Length)
            {
                var end = text.IndexOf('\n', position);
                var line = end < 0 ? text.Substring(position) : text.Substring(position, end - position);
                if (line.StartsWith("length=", StringComparison.Ordinal)
                    && long.TryParse(line.Substring(7), NumberStyles.None, CultureInfo.InvariantCulture, out var l))
                {
                    length = l;
                }
                else if (line.StartsWith("error=", StringComparison.Ordinal))
                {
                    return Failed(path, line.Substring(6));
                }
                else if (line.StartsWith("header=", StringComparison.Ordinal))
                {
                    return Parse(path, text.Substring(position + 7), length);
                }

                position = end < 0 ? text.Length : end + 1;
            }

            return Failed(path, "its header could not be read (the build wiring wrote no header; rebuild)");
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return Failed(path, e.Message);
        }
    }

    private static WeightsHeader Failed(string path, string error) =>
        new(path, error, Array.Empty<WeightsEntry>(), new Dictionary<string, string>());

    private static WeightsHeader Parse(string path, string json, long? fileLength)
    {
        var reader = new JsonReader(json);
        if (reader.Parse() is not Dictionary<string, object?> root)
        {
            return Failed(path, "its header is not a JSON object (not a safetensors file)");
        }

        var entries = new List<WeightsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in reader.Order(root))
        {
            if (pair.Key == "__metadata__")
            {
                if (pair.Value is not Dictionary<string, object?> fields)
                {
                    return Failed(path, "its __metadata__ is not an object of strings");
                }

                foreach (var field in fields)
                {
                    if (field.Value is not string value)
                    {
                        return Failed(path, $"its __metadata__ field '{field.Key}' is not a string");
                    }

                    metadata[field.Key] = value;
                }

                continue;
            }

            if (pair.Value is not Dictionary<string, object?> tensor
                || !tensor.TryGetValue("dtype", out var dtype) || dtype is not string dtypeText
                || !tensor.TryGetValue("shape", out var shape) || shape is not List<object?> dims
                || !tensor.TryGetValue("data_offsets", out var offsets) || offsets is not List<object?> { Count: 2 } range
                || tensor.Count != 3)
            {
                return Failed(path, $"its entry '{pair.Key}' is not {{\"dtype\", \"shape\", \"data_offsets\": [begin, end]}}");
            }

            var dimensions = new long[dims.Count];
            for (var d = 0; d < dims.Count; d++)
            {
                if (!Integer(dims[d], out dimensions[d]))
                {
                    return Failed(path, $"tensor '{pair.Key}' has a dimension that is not a non-negative integer");
                }
            }

            if (!Integer(range[0], out var begin) || !Integer(range[1], out var end) || begin > end)
            {
                return Failed(path, $"tensor '{pair.Key}' has data_offsets that are not two integers begin ≤ end");
            }

            entries.Add(new WeightsEntry(pair.Key, dtypeText, dimensions, begin, end));
        }

        return CheckOffsets(path, entries, json, fileLength) is { } error
            ? Failed(path, error)
            : new WeightsHeader(path, null, entries, metadata, Encoding.UTF8.GetByteCount(json));
    }

    // The tensors' bytes must tile the data exactly (as the runtime requires), each as long as its shape × dtype size,
    // and the file must end where the last one does.
    private static string? CheckOffsets(string path, List<WeightsEntry> entries, string json, long? fileLength)
    {
        var sorted = new List<WeightsEntry>(entries);
        sorted.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long next = 0;
        foreach (var entry in sorted)
        {
            if (entry.Begin != next)
            {
                return $"tensor '{entry.Name}' starts at data byte {entry.Begin}, but the tensors before it end at {next} "
                    + "(gaps and overlaps are refused)";
            }

            var size = ElementSize(entry.DType);
            long elements = 1;
            foreach (var d in entry.Shape)
            {
                elements = checked(elements * d);
            }

            if (size > 0 && checked(elements * size) != entry.End - entry.Begin)
            {
                return $"tensor '{entry.Name}' is {entry.DType} {entry.ShapeText}, {elements * size} bytes, "
                    + $"but its data_offsets span {entry.End - entry.Begin}";
            }

            next = entry.End;
        }

        if (fileLength is { } total)
        {
            var header = Encoding.UTF8.GetByteCount(json);
            if (total != 8 + header + next)
            {
                return $"it is {total} bytes long, but the 8-byte length, the {header}-byte header and the {next} data bytes its tensors span make "
                    + $"{8 + header + next} (truncated, or trailing bytes)";
            }
        }

        return null;
    }

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    private static bool Integer(object? value, out long result)
    {
        result = 0;
        return value is string number && number.Length > 0 && number.Length <= 18 && number[0] != '-'
            && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    // Strict JSON: objects (keys kept in order; duplicates refused), arrays, strings, numbers (kept as their text), true, false,
    // null; nesting at most 64 deep, so that a hostile header cannot exhaust the compiler's stack.
    private sealed class JsonReader
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private readonly Dictionary<Dictionary<string, object?>, List<string>> _order = new();
        private int _position;

        public JsonReader(string text) => _text = text;

        public object? Parse()
        {
            var value = Value(0);
            SkipSpace();
            if (_position != _text.Length)
            {
                throw new FormatException($"its header has text after the JSON object, at character {_position}");
            }

            return value;
        }

        public IEnumerable<KeyValuePair<string, object?>> Order(Dictionary<string, object?> obj)
        {
            foreach (var key in _order[obj])
            {
                yield return new KeyValuePair<string, object?>(key, obj[key]);
            }
        }

        private object? Value(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException($"its header nests deeper than {MaxDepth} levels");
            }

            SkipSpace();
            if (_position >= _text.Length)
            {
                throw new FormatException("its header ends in the middle of the JSON");
            }

            var c = _text[_position];
            switch (c)
            {
                case '{':
                    return Object(depth);
                case '[':
                    return Array(depth);
                case '"':
                    return String();
                case 't':
                    return Literal("true", true);
                case 'f':
                    return Literal("false", false);
                case 'n':
                    return Literal("null", null);
                default:
                    return Number();
            }
        }

        private Dictionary<string, object?> Object(int depth)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            var order = new List<string>();
            _order[result] = order;
            _position++;
            SkipSpace();
            if (Peek() == '}')
            {
                _position++;
                return result;
            }

            while (true)
            {
                SkipSpace();
                if (Peek() != '"')
                {
                    throw new FormatException($"its header has a key that is not a string, at character {_position}");
                }

                var key = String();
                if (result.ContainsKey(key))
                {
                    throw new FormatException($"its header names '{key}' twice");
                }

                SkipSpace();
                Expect(':');
                result[key] = Value(depth + 1);
                order.Add(key);
                SkipSpace();
                if (Peek() == ',')
                {
                    _position++;
                    continue;
                }

                Expect('}');
                return result;
            }
        }

        private List<object?> Array(int depth)
        {
            var result = new List<object?>();
            _position++;
            SkipSpace();
            if (Peek() == ']')
            {
                _position++;
                return result;
            }

            while (true)
            {
                result.Add(Value(depth + 1));
                SkipSpace();
                if (Peek() == ',')
                {
                    _position++;
                    continue;
                }

                Expect(']');
                return result;
            }
        }

        private string String()
        {
            Expect('"');
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= _text.Length)
                {
                    throw new FormatException("its header ends inside a string");
                }

                var c = _text[_position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c < ' ')
                {
                    throw new FormatException($"its header has a control character inside a string, at character {_position - 1}");
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                var escape = Peek();
                _position++;
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u' when _position + 4 <= _text.Length
                        && int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        throw new FormatException($"its header has an invalid escape in a string, at character {_position - 2}");
                }
            }
        }

        private string Number()
        {
            var start = _position;
            while (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] is '-' or '+' or '.' or 'e' or 'E'))
            {
                _position++;
            }

            if (_position == start)
            {
                throw new FormatException($"its header has '{_text[start]}' where a JSON value belongs, at character {start}");
            }

            return _text.Substring(start, _position - start);
        }

        private object? Literal(string word, object? value)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
            {
                throw new FormatException($"its header has an invalid JSON value at character {_position}");
            }

            _position += word.Length;
            return value;
        }

        private char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw new FormatException($"its header has '{Peek()}' where '{c}' belongs, at character {_position}");
            }

            _position++;
        }

        private void SkipSpace()
        {
            while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }
        }
    }
}
