using System;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;

namespace Nn.Onnx;

/// <summary>One tensor of an ONNX file: an initializer or a Constant node's value.</summary>
internal sealed class OnnxTensor
{
    public string Name = "";
    public long[] Dims = Array.Empty<long>();
    public int DataType;
    public ByteString Raw = ByteString.Empty;
    public List<float> Floats = new();
    public List<double> Doubles = new();
    public List<long> Int64s = new();
    public List<int> Int32s = new();
    public bool External;

    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var d in Dims)
            {
                count = d < 0 || (d > 0 && count > long.MaxValue / d) ? -1 : count * d;
                if (count < 0)
                {
                    return -1;
                }
            }

            return count;
        }
    }

    public string ShapeText => "[" + string.Join(" × ", Dims) + "]";
}

/// <summary>One attribute of a node: the scalar, the list or the tensor it carries.</summary>
internal sealed class OnnxAttribute
{
    public string Name = "";
    public int Type;
    public float F;
    public long I;
    public ByteString S = ByteString.Empty;
    public OnnxTensor? T;
    public List<long> Ints = new();
    public List<float> Floats = new();
}

internal sealed class OnnxNode
{
    public string Name = "";
    public string OpType = "";
    public string Domain = "";
    public List<string> Inputs = new();
    public List<string> Outputs = new();
    public Dictionary<string, OnnxAttribute> Attributes = new(StringComparer.Ordinal);

    /// <summary>How messages name the node: its name if it has one, else its type and first output.</summary>
    public string Label => Name.Length > 0 ? $"'{Name}' ({OpType})" : $"{OpType} → '{(Outputs.Count > 0 ? Outputs[0] : "?")}'";
}

/// <summary>A graph input or output: its name and dimensions (a symbolic or unknown dimension is −1).</summary>
internal sealed class OnnxValue
{
    public string Name = "";
    public int ElementType;
    public List<long> Dims = new();
}

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> the importer reads (field numbers from onnx/onnx.proto), parsed with Google.Protobuf's
/// <see cref="CodedInputStream"/> field by field, so no generated message classes (and no copy of onnx.proto) are needed.
/// Unknown fields are skipped, as protobuf requires; malformed bytes become <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class OnnxModel
{
    public long IrVersion;
    public long Opset = -1;
    public string GraphName = "";
    public List<OnnxNode> Nodes = new();
    public Dictionary<string, OnnxTensor> Initializers = new(StringComparer.Ordinal);
    public List<OnnxValue> Inputs = new();
    public List<OnnxValue> Outputs = new();
    public List<string> DuplicateInitializers = new();

    public static OnnxModel Parse(ByteString bytes)
    {
        var model = new OnnxModel();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsVarint(tag): model.IrVersion = input.ReadInt64(); break;
                case 7 when IsLength(tag): model.ParseGraph(input.ReadBytes()); break;
                case 8 when IsLength(tag): model.ParseOpset(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }

        return model;
    }

    private void ParseOpset(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var domain = "";
        long version = -1;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsLength(tag): domain = input.ReadString(); break;
                case 2 when IsVarint(tag): version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }

        // The default domain is "" (or its alias "ai.onnx"); other domains (ai.onnx.ml, vendors') hold no operator the importer reads.
        if (domain.Length == 0 || domain == "ai.onnx")
        {
            Opset = version;
        }
    }

    private void ParseGraph(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsLength(tag): Nodes.Add(ParseNode(input.ReadBytes())); break;
                case 2 when IsLength(tag): GraphName = input.ReadString(); break;
                case 5 when IsLength(tag):
                    var tensor = ParseTensor(input.ReadBytes());
                    if (!Initializers.TryAdd(tensor.Name, tensor))
                    {
                        DuplicateInitializers.Add(tensor.Name);
                    }

                    break;
                case 11 when IsLength(tag): Inputs.Add(ParseValue(input.ReadBytes())); break;
                case 12 when IsLength(tag): Outputs.Add(ParseValue(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    private static OnnxNode ParseNode(ByteString bytes)
    {
        var node = new OnnxNode();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsLength(tag): node.Inputs.Add(input.ReadString()); break;
                case 2 when IsLength(tag): node.Outputs.Add(input.ReadString()); break;
                case 3 when IsLength(tag): node.Name = input.ReadString(); break;
                case 4 when IsLength(tag): node.OpType = input.ReadString(); break;
                case 5 when IsLength(tag):
                    var attribute = ParseAttribute(input.ReadBytes());
                    node.Attributes[attribute.Name] = attribute;
                    break;
                case 7 when IsLength(tag): node.Domain = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return node;
    }

    private static OnnxAttribute ParseAttribute(ByteString bytes)
    {
        var attribute = new OnnxAttribute();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsLength(tag): attribute.Name = input.ReadString(); break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed32: attribute.F = input.ReadFloat(); break;
                case 3 when IsVarint(tag): attribute.I = input.ReadInt64(); break;
                case 4 when IsLength(tag): attribute.S = input.ReadBytes(); break;
                case 5 when IsLength(tag): attribute.T = ParseTensor(input.ReadBytes()); break;
                case 7: ReadFloats(input, tag, attribute.Floats); break;
                case 8: ReadInt64s(input, tag, attribute.Ints); break;
                case 20 when IsVarint(tag): attribute.Type = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }

        return attribute;
    }

    private static OnnxTensor ParseTensor(ByteString bytes)
    {
        var tensor = new OnnxTensor();
        var dims = new List<long>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadInt64s(input, tag, dims); break;
                case 2 when IsVarint(tag): tensor.DataType = input.ReadInt32(); break;
                case 4: ReadFloats(input, tag, tensor.Floats); break;
                case 5: ReadInt32s(input, tag, tensor.Int32s); break;
                case 7: ReadInt64s(input, tag, tensor.Int64s); break;
                case 8 when IsLength(tag): tensor.Name = input.ReadString(); break;
                case 9 when IsLength(tag): tensor.Raw = input.ReadBytes(); break;
                case 10: ReadDoubles(input, tag, tensor.Doubles); break;
                case 13 when IsLength(tag): tensor.External = true; input.SkipLastField(); break;
                case 14 when IsVarint(tag): tensor.External |= input.ReadInt32() == 1; break;
                default: input.SkipLastField(); break;
            }
        }

        tensor.Dims = dims.ToArray();
        return tensor;
    }

    private static OnnxValue ParseValue(ByteString bytes)
    {
        // ValueInfoProto { name = 1; type = 2 } → TypeProto { tensor_type = 1 } → Tensor { elem_type = 1; shape = 2 }
        // → TensorShapeProto { dim = 1 } → Dimension { dim_value = 1 | dim_param = 2 }.
        var value = new OnnxValue();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when IsLength(tag): value.Name = input.ReadString(); break;
                case 2 when IsLength(tag): ParseType(input.ReadBytes(), value); break;
                default: input.SkipLastField(); break;
            }
        }

        return value;
    }

    private static void ParseType(ByteString bytes, OnnxValue value)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && IsLength(tag))
            {
                var tensorType = input.ReadBytes().CreateCodedInput();
                uint inner;
                while ((inner = tensorType.ReadTag()) != 0)
                {
                    switch (WireFormat.GetTagFieldNumber(inner))
                    {
                        case 1 when IsVarint(inner): value.ElementType = tensorType.ReadInt32(); break;
                        case 2 when IsLength(inner): ParseShape(tensorType.ReadBytes(), value.Dims); break;
                        default: tensorType.SkipLastField(); break;
                    }
                }
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private static void ParseShape(ByteString bytes, List<long> dims)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && IsLength(tag))
            {
                var dim = input.ReadBytes().CreateCodedInput();
                long size = -1;
                uint inner;
                while ((inner = dim.ReadTag()) != 0)
                {
                    if (WireFormat.GetTagFieldNumber(inner) == 1 && IsVarint(inner))
                    {
                        size = dim.ReadInt64();
                    }
                    else
                    {
                        dim.SkipLastField();
                    }
                }

                dims.Add(size);
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    // Repeated scalars arrive packed (one length-delimited run) or one per tag; protobuf parsers must accept both.
    private static void ReadInt64s(CodedInputStream input, uint tag, List<long> values)
    {
        if (IsLength(tag))
        {
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd)
            {
                values.Add(packed.ReadInt64());
            }
        }
        else if (IsVarint(tag))
        {
            values.Add(input.ReadInt64());
        }
        else
        {
            input.SkipLastField();
        }
    }

    private static void ReadInt32s(CodedInputStream input, uint tag, List<int> values)
    {
        if (IsLength(tag))
        {
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd)
            {
                values.Add(packed.ReadInt32());
            }
        }
        else if (IsVarint(tag))
        {
            values.Add(input.ReadInt32());
        }
        else
        {
            input.SkipLastField();
        }
    }

    private static void ReadFloats(CodedInputStream input, uint tag, List<float> values)
    {
        if (IsLength(tag))
        {
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd)
            {
                values.Add(packed.ReadFloat());
            }
        }
        else if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed32)
        {
            values.Add(input.ReadFloat());
        }
        else
        {
            input.SkipLastField();
        }
    }

    private static void ReadDoubles(CodedInputStream input, uint tag, List<double> values)
    {
        if (IsLength(tag))
        {
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd)
            {
                values.Add(packed.ReadDouble());
            }
        }
        else if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed64)
        {
            values.Add(input.ReadDouble());
        }
        else
        {
            input.SkipLastField();
        }
    }

    private static bool IsLength(uint tag) => WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;

    private static bool IsVarint(uint tag) => WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint;
}
