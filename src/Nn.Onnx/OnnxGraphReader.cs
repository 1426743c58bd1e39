using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Nn.Onnx;

/// <summary>One step of an imported graph, in Nn's terms, with the node it came from and its tensors in Nn's layout.</summary>
internal sealed class ImportedStep
{
    public LayerOp Op;
    public int Inputs;
    public int Outputs;
    public double Argument;
    public string Node = "";

    /// <summary>Affine: W [Inputs × Outputs] row-major, b [Outputs]. BatchNorm: γ, β, running mean, running variance.</summary>
    public double[][] Tensors = Array.Empty<double[]>();
}

/// <summary>An ONNX graph read as a chain: the input's shape, the steps, and the head (Softmax or Logistic) if the graph ends in one.</summary>
internal sealed class ImportedGraph
{
    public long[] InputShape = Array.Empty<long>();
    public List<ImportedStep> Steps = new();
    public string? Head;
    public string? HeadNode;

    /// <summary>The Nn declaration that matches the graph, e.g. <c>[Input(784)] [Affine(100), ReLU] [Affine(10), Softmax]</c>.</summary>
    public string Declaration(string? headIfNone, bool isDouble)
    {
        var text = new StringBuilder();
        var dims = InputShape.Length > 0 && InputShape.All(d => d > 0)
            ? string.Join(", ", InputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)))
            : (Steps.Count > 0 ? Steps[0].Inputs.ToString(CultureInfo.InvariantCulture) : "?");
        text.Append("[Input(").Append(dims).Append(isDouble ? ", Precision = Precision.Double)]" : ")]");
        var open = false;
        foreach (var step in Steps)
        {
            if (step.Op == LayerOp.Affine)
            {
                text.Append(open ? "] [" : " [").Append("Affine(").Append(step.Outputs.ToString(CultureInfo.InvariantCulture)).Append(')');
                open = true;
                continue;
            }

            text.Append(open ? ", " : " [").Append(Describe(step));
            open = true;
        }

        var head = Head ?? headIfNone;
        if (head is not null)
        {
            text.Append(open ? ", " : " [").Append(head);
            open = true;
        }

        return open ? text.Append(']').ToString() : text.ToString();
    }

    public static string Describe(ImportedStep step) => step.Op switch
    {
        LayerOp.Affine => $"Affine({step.Outputs.ToString(CultureInfo.InvariantCulture)}) [{step.Inputs} → {step.Outputs}]",
        LayerOp.LeakyReLU => "LeakyReLU(" + Number(step.Argument) + ")",
        LayerOp.BatchNorm => Math.Abs(step.Argument - 1e-5) < 1e-9 ? "BatchNorm" : "BatchNorm(Epsilon = " + Number(step.Argument) + ")",
        _ => step.Op.ToString(),
    };

    // The shortest text that reads back as the float the file holds: 0.2f is 0.200000003 as a double, and should print as 0.2.
    public static string Number(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Turns a parsed ONNX graph into a chain of Nn steps: Gemm, or MatMul followed by Add, becomes Affine (weights transposed to
/// Nn's [in × out] when the node reads them [out × in]); Relu, LeakyRelu, Sigmoid, Tanh and inference-mode BatchNormalization map
/// one to one; Flatten, Identity and Dropout pass the value on; a final Softmax (or a final Sigmoid the declaration has no step
/// for) is the head. Anything else is refused with the node's name and the reason.
/// </summary>
internal static class OnnxGraphReader
{
    public const int Float = 1, Float16 = 10, Double = 11, BFloat16 = 16;
    public const long MinimumOpset = 11, MaximumOpset = 21;

    private static readonly string Supported =
        "Gemm, MatMul + Add, Relu, LeakyRelu, Sigmoid, Tanh, BatchNormalization (inference mode), Flatten, Identity, Dropout, and a final Softmax";

    public static ImportedGraph Read(OnnxModel model, string source)
    {
        if (model.Opset < MinimumOpset || model.Opset > MaximumOpset)
        {
            throw Invalid(source, model.Opset < 0
                ? "it imports no opset of the default ONNX domain (it is not an ONNX model, or only uses other domains)"
                : $"it uses opset {model.Opset}; the importer reads opsets {MinimumOpset}–{MaximumOpset} "
                  + "(re-export with torch.onnx.export(..., opset_version=17))");
        }

        if (model.DuplicateInitializers.Count > 0)
        {
            throw Invalid(source, $"initializer '{model.DuplicateInitializers[0]}' is defined twice");
        }

        var constants = new Dictionary<string, OnnxTensor>(model.Initializers, StringComparer.Ordinal);
        var dataInputs = model.Inputs.Where(v => !constants.ContainsKey(v.Name)).ToList();
        if (dataInputs.Count != 1)
        {
            throw Invalid(source, $"the graph has {dataInputs.Count} inputs that are not initializers "
                + $"({string.Join(", ", dataInputs.Select(v => "'" + v.Name + "'"))}); a network reads exactly one");
        }

        if (model.Outputs.Count != 1)
        {
            throw Invalid(source, $"the graph has {model.Outputs.Count} outputs; a network writes exactly one");
        }

        var graph = new ImportedGraph { InputShape = dataInputs[0].Dims.Skip(1).ToArray() };
        var current = dataInputs[0].Name;
        var width = graph.InputShape.Length > 0 && graph.InputShape.All(d => d > 0) ? Product(graph.InputShape) : -1;
        var nodes = model.Nodes;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
            {
                throw Unsupported(source, node, $"it is in domain '{node.Domain}'");
            }

            if (node.OpType == "Constant")
            {
                if (node.Outputs.Count != 1 || !node.Attributes.TryGetValue("value", out var value) || value.T is null)
                {
                    throw Unsupported(source, node, "only Constant nodes holding a tensor ('value') are read");
                }

                constants[node.Outputs[0]] = value.T;
                continue;
            }

            if (graph.Head is not null)
            {
                throw Unsupported(source, node, $"it comes after the head ({graph.HeadNode}), which must be the last node");
            }

            var data = DataInput(source, node, current, constants);
            if (node.Outputs.Count < 1)
            {
                throw Unsupported(source, node, "it has no output");
            }

            switch (node.OpType)
            {
                case "Identity":
                case "Dropout":
                    break;
                case "Flatten":
                    var axis = Attribute(node, "axis", 1);
                    if (axis != 1)
                    {
                        throw Unsupported(source, node, $"it flattens from axis {axis}; only axis 1 (keep the batch) is read");
                    }

                    if (graph.Steps.Count == 0 && graph.InputShape.Length > 0 && width < 0)
                    {
                        throw Unsupported(source, node, "the input's dimensions after the batch are not all fixed");
                    }

                    break;
                case "Gemm":
                    graph.Steps.Add(Gemm(source, node, constants, width));
                    break;
                case "MatMul":
                    var next = i + 1 < nodes.Count ? nodes[i + 1] : null;
                    var add = next is { OpType: "Add" } && next.Inputs.Contains(node.Outputs[0]) ? next : null;
                    graph.Steps.Add(MatMul(source, node, add, constants, width));
                    if (add is not null)
                    {
                        node = add;
                        i++;
                    }

                    break;
                case "Relu":
                    graph.Steps.Add(new ImportedStep { Op = LayerOp.ReLU, Node = node.Label });
                    break;
                case "Sigmoid":
                    graph.Steps.Add(new ImportedStep { Op = LayerOp.Sigmoid, Node = node.Label });
                    break;
                case "Tanh":
                    graph.Steps.Add(new ImportedStep { Op = LayerOp.Tanh, Node = node.Label });
                    break;
                case "LeakyRelu":
                    graph.Steps.Add(new ImportedStep
                    {
                        Op = LayerOp.LeakyReLU, Node = node.Label,
                        Argument = node.Attributes.TryGetValue("alpha", out var alpha) ? alpha.F : 0.01f,
                    });
                    break;
                case "BatchNormalization":
                    graph.Steps.Add(BatchNorm(source, node, constants, width));
                    break;
                case "Softmax":
                    var softmaxAxis = Attribute(node, "axis", model.Opset >= 13 ? -1 : 1);
                    if (softmaxAxis is not (-1 or 1))
                    {
                        throw Unsupported(source, node, $"it normalizes over axis {softmaxAxis}; a Softmax head normalizes over the classes (axis 1 or -1)");
                    }

                    graph.Head = "Softmax";
                    graph.HeadNode = node.Label;
                    break;
                default:
                    throw Unsupported(source, node, $"the importer reads {Supported}"
                        + (node.OpType == "LogSoftmax" ? "; export the model without LogSoftmax (Nn's Softmax head gives probabilities)" : ""));
            }

            if (data is not null)
            {
                current = node.Outputs[0];
            }

            var last = graph.Steps.Count > 0 ? graph.Steps[^1] : null;
            if (last is not null && last.Inputs == 0)
            {
                last.Inputs = last.Outputs = checked((int)Math.Max(width, 0));
            }

            if (last is not null)
            {
                width = last.Outputs;
            }
        }

        if (current != model.Outputs[0].Name)
        {
            throw Invalid(source, $"the graph's output '{model.Outputs[0].Name}' is not the last node's output '{current}'");
        }

        if (graph.Steps.Count == 0 || graph.Steps[0].Op != LayerOp.Affine)
        {
            throw Invalid(source, "the graph does not start with a Gemm or MatMul (Nn networks start with an Affine layer)");
        }

        return graph;
    }

    // The one input of a node that is not a constant must be the value the chain has reached.
    private static string? DataInput(string source, OnnxNode node, string current, Dictionary<string, OnnxTensor> constants)
    {
        var data = node.Inputs.Where(n => n.Length > 0 && !constants.ContainsKey(n)).ToList();
        if (data.Count != 1 || data[0] != current)
        {
            throw Unsupported(source, node, data.Count == 1
                ? $"it reads '{data[0]}', which is not the output of the node before ('{current}'); the importer reads chains of layers only"
                : $"it reads {data.Count} computed values; the importer reads chains of layers, each node reading the one before");
        }

        return data[0];
    }

    private static ImportedStep Gemm(string source, OnnxNode node, Dictionary<string, OnnxTensor> constants, long width)
    {
        if (Attribute(node, "transA", 0) != 0 || node.Inputs[0].Length == 0 || constants.ContainsKey(node.Inputs[0]))
        {
            throw Unsupported(source, node, "it must read the layer's input as A, untransposed (transA = 0)");
        }

        var alpha = node.Attributes.TryGetValue("alpha", out var a) ? a.F : 1f;
        var beta = node.Attributes.TryGetValue("beta", out var b) ? b.F : 1f;
        if (alpha != 1f || beta != 1f)
        {
            throw Unsupported(source, node, $"alpha = {alpha} and beta = {beta}; the importer reads alpha = beta = 1 (Y = A·B + C)");
        }

        var transposed = Attribute(node, "transB", 0) != 0;
        var weights = Constant(source, node, constants, 1, "B");
        return Affine(source, node, weights, transposed, node.Inputs.Count > 2 && node.Inputs[2].Length > 0
            ? Constant(source, node, constants, 2, "C") : null, width);
    }

    private static ImportedStep MatMul(string source, OnnxNode node, OnnxNode? add, Dictionary<string, OnnxTensor> constants, long width)
    {
        if (node.Inputs.Count != 2 || constants.ContainsKey(node.Inputs[0]))
        {
            throw Unsupported(source, node, "it must multiply the layer's input (left) by a weight initializer (right)");
        }

        var weights = Constant(source, node, constants, 1, "B");
        OnnxTensor? bias = null;
        if (add is not null)
        {
            var other = add.Inputs.FirstOrDefault(n => n != node.Outputs[0]);
            if (add.Inputs.Count != 2 || other is null || !constants.TryGetValue(other, out bias))
            {
                throw Unsupported(source, add, "an Add after MatMul must add a bias initializer");
            }
        }

        return Affine(source, add ?? node, weights, transposed: false, bias, width);
    }

    private static ImportedStep Affine(string source, OnnxNode node, OnnxTensor weights, bool transposed, OnnxTensor? bias, long width)
    {
        if (weights.Dims.Length != 2 || weights.Dims[0] <= 0 || weights.Dims[1] <= 0
            || weights.Dims[0] > int.MaxValue || weights.Dims[1] > int.MaxValue)
        {
            throw Unsupported(source, node, $"its weights '{weights.Name}' have shape {weights.ShapeText}; a layer's weights are a matrix");
        }

        var inputs = (int)(transposed ? weights.Dims[1] : weights.Dims[0]);
        var outputs = (int)(transposed ? weights.Dims[0] : weights.Dims[1]);
        if (width >= 0 && inputs != width)
        {
            throw Unsupported(source, node, $"its weights '{weights.Name}' {weights.ShapeText} take {inputs} inputs, "
                + $"but the value reaching it has {width}");
        }

        var w = Values(source, weights);
        if (transposed)
        {
            // The file holds [out × in] (PyTorch's Linear.weight, read by Gemm with transB = 1); Nn computes x·W with W [in × out].
            var t = new double[w.Length];
            for (var o = 0; o < outputs; o++)
            {
                for (var k = 0; k < inputs; k++)
                {
                    t[(k * outputs) + o] = w[(o * inputs) + k];
                }
            }

            w = t;
        }

        double[] b;
        if (bias is null)
        {
            b = new double[outputs];
        }
        else
        {
            var isVector = (bias.Dims.Length == 1 && bias.Dims[0] == outputs) || (bias.Dims.Length == 2 && bias.Dims[0] == 1 && bias.Dims[1] == outputs);
            if (!isVector)
            {
                throw Unsupported(source, node, $"its bias '{bias.Name}' has shape {bias.ShapeText}; expected [{outputs}]");
            }

            b = Values(source, bias);
        }

        return new ImportedStep { Op = LayerOp.Affine, Inputs = inputs, Outputs = outputs, Node = node.Label, Tensors = new[] { w, b } };
    }

    private static ImportedStep BatchNorm(string source, OnnxNode node, Dictionary<string, OnnxTensor> constants, long width)
    {
        if (Attribute(node, "training_mode", 0) != 0 || node.Outputs.Count(o => o.Length > 0) > 1)
        {
            throw Unsupported(source, node, "it is in training mode; export the model in eval() mode");
        }

        if (node.Inputs.Count != 5)
        {
            throw Unsupported(source, node, $"it has {node.Inputs.Count} inputs; BatchNormalization reads X, scale, B, mean and var");
        }

        var tensors = new double[4][];
        for (var k = 0; k < 4; k++)
        {
            var tensor = Constant(source, node, constants, k + 1, k switch { 0 => "scale", 1 => "B", 2 => "mean", _ => "var" });
            if (tensor.Dims.Length != 1 || (width >= 0 && tensor.Dims[0] != width))
            {
                throw Unsupported(source, node, $"its tensor '{tensor.Name}' has shape {tensor.ShapeText}; expected [{width}], one value per column");
            }

            tensors[k] = Values(source, tensor);
        }

        var epsilon = node.Attributes.TryGetValue("epsilon", out var e) ? e.F : 1e-5f;
        return new ImportedStep
        {
            Op = LayerOp.BatchNorm, Inputs = tensors[0].Length, Outputs = tensors[0].Length, Argument = epsilon, Node = node.Label, Tensors = tensors,
        };
    }

    private static OnnxTensor Constant(string source, OnnxNode node, Dictionary<string, OnnxTensor> constants, int index, string role)
    {
        if (node.Inputs.Count <= index || !constants.TryGetValue(node.Inputs[index], out var tensor))
        {
            throw Unsupported(source, node, $"its {role} is not an initializer or a Constant (the importer reads weights stored in the file)");
        }

        return tensor;
    }

    /// <summary>A tensor's values as doubles, from raw little-endian bytes or the typed lists, after checking their count.</summary>
    public static double[] Values(string source, OnnxTensor tensor)
    {
        if (tensor.External)
        {
            throw Invalid(source, $"tensor '{tensor.Name}' is stored outside the file (external data); "
                + "save the model with its weights inside (onnx.save_model(model, path, save_as_external_data=False))");
        }

        var count = tensor.ElementCount;
        var size = tensor.DataType switch { Float => 4, Double => 8, Float16 or BFloat16 => 2, _ => 0 };
        if (size == 0)
        {
            throw Invalid(source, $"tensor '{tensor.Name}' has element type {tensor.DataType}; the importer reads float, double, float16 and bfloat16");
        }

        var raw = tensor.Raw.Span;
        var typed = tensor.DataType switch
        {
            Float => tensor.Floats.Count,
            Double => tensor.Doubles.Count,
            _ => tensor.Int32s.Count,
        };
        var available = raw.Length > 0 ? raw.Length / size : typed;
        if (count < 0 || count != available || (raw.Length > 0 && raw.Length % size != 0))
        {
            throw Invalid(source, $"tensor '{tensor.Name}' has shape {tensor.ShapeText} but holds "
                + (raw.Length > 0 ? $"{raw.Length} bytes of {size}-byte values" : $"{typed} values"));
        }

        var values = new double[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = tensor.DataType switch
            {
                Float => raw.Length > 0 ? BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4, 4)) : tensor.Floats[i],
                Double => raw.Length > 0 ? BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8, 8)) : tensor.Doubles[i],
                Float16 => (double)BitConverter.UInt16BitsToHalf(raw.Length > 0 ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2, 2)) : (ushort)tensor.Int32s[i]),
                _ => BitConverter.Int32BitsToSingle((raw.Length > 0 ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2, 2)) : (ushort)tensor.Int32s[i]) << 16),
            };
        }

        return values;
    }

    private static long Attribute(OnnxNode node, string name, long fallback) =>
        node.Attributes.TryGetValue(name, out var attribute) ? attribute.I : fallback;

    private static long Product(long[] dims)
    {
        long product = 1;
        foreach (var d in dims)
        {
            product = d > int.MaxValue || product > int.MaxValue / Math.Max(d, 1) ? int.MaxValue : product * d;
        }

        return product;
    }

    public static InvalidDataException Invalid(string source, string what) => new($"ONNX model {source} cannot be loaded: {what}.");

    private static InvalidDataException Unsupported(string source, OnnxNode node, string why) =>
        Invalid(source, $"node {node.Label} is not supported: {why}");
}
