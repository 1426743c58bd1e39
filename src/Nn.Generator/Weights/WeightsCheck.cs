using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Nn.Generator.Model;

namespace Nn.Generator.Weights;

/// <summary>
/// Whether a weights file fits a network, decided at compile time the way the generated <c>Load</c> decides it at run time
/// (src/Nn.Runtime/Weights/Safetensors.Reading.cs and Safetensors.PyTorch.cs): Nn's own layout (tensors named like the
/// network's views, the dtype of its element type, the declaration recorded in the metadata) or a PyTorch state_dict of an
/// equivalent nn.Sequential (modules in layer order, Linear weights [out × in], F32/F64/F16/BF16). The messages name the
/// tensor, both shapes, and the declaration the file's shapes match. <c>WeightsCheckTests</c> holds the two readers to the
/// same verdicts.
/// </summary>
internal static class WeightsCheck
{
    private static readonly string[] FloatDTypes = { "F32", "F64", "F16", "BF16" };

    /// <summary>Null when the file fits; otherwise why not, the expected and found tensors, and the declaration that fits.</summary>
    public static string? Check(NetworkPlan plan, WeightsHeader header, IReadOnlyList<string> modules)
    {
        var architecture = NnGenerator.Emitter.Architecture(plan);
        var tensors = plan.Parameters.Concat(plan.State).ToList();
        var limit = (1L << 20) + (4096L * tensors.Count);
        if (header.HeaderBytes > limit)
        {
            return $"its header length is {header.HeaderBytes} bytes, more than the {limit} bytes a header for this network's "
                + $"{tensors.Count} tensors can need";
        }

        return IsNnLayout(header, tensors, modules)
            ? NnLayout(plan, header, tensors, architecture)
            : PyTorchLayout(plan, header, modules, architecture);
    }

    private static bool IsNnLayout(WeightsHeader header, List<TensorPlan> tensors, IReadOnlyList<string> modules)
    {
        if ((header.Metadata.TryGetValue("format", out var format) && format == "nn") || header.Entries.Count == 0)
        {
            return true;
        }

        var names = new HashSet<string>(tensors.Select(t => t.Name), StringComparer.Ordinal);
        return header.Entries.Any(e => names.Contains(e.Name)) || !header.Entries.All(e => e.Name.IndexOf('.') >= 0);
    }

    private static string? NnLayout(NetworkPlan plan, WeightsHeader header, List<TensorPlan> tensors, string architecture)
    {
        var dtype = plan.T == "double" ? "F64" : "F32";
        if (header.Metadata.TryGetValue("architecture", out var written) && Flattened(written) != Flattened(architecture))
        {
            return $"it was saved from '{written}', but this network is '{architecture}'. The declaration it fits is {written}";
        }

        var byName = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var expected = string.Join(", ", tensors.Select(t => $"{t.Name} {dtype} {ShapeText(t.Shape)}"));
        var found = string.Join(", ", header.Entries.Select(e => $"{e.Name} {e.DType} {e.ShapeText}"));
        string Mismatch(string reason) =>
            $"{reason}. This network ('{architecture}') expects {expected}; the file has {found}";
        foreach (var tensor in tensors)
        {
            if (!byName.TryGetValue(tensor.Name, out var entry))
            {
                return Mismatch($"it has no tensor '{tensor.Name}' (expected {dtype} {ShapeText(tensor.Shape)})");
            }

            if (entry.DType != dtype)
            {
                return Mismatch($"tensor '{tensor.Name}' has dtype {entry.DType}, expected {dtype}")
                    + (entry.DType is "F32" or "F64"
                        ? $". A {entry.DType} network is declared with [Input(...{PrecisionOf(entry.DType)})]"
                        : string.Empty);
            }

            if (!entry.Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
            {
                return Mismatch($"tensor '{tensor.Name}' has shape {entry.ShapeText}, expected {ShapeText(tensor.Shape)}");
            }
        }

        foreach (var entry in header.Entries)
        {
            if (!tensors.Any(t => t.Name == entry.Name))
            {
                return Mismatch($"it has a tensor '{entry.Name}' this network does not have");
            }
        }

        return null;
    }

    // The network's Affine and BatchNorm layers in order, as the runtime's LayerInfo list gives them to the PyTorch reader.
    private static List<(bool Affine, int In, int Out)> WeightLayers(NetworkPlan plan)
    {
        var layers = new List<(bool, int, int)>();
        foreach (var block in plan.Blocks)
        {
            layers.Add((true, block.In, block.Out));
            if (block.BatchNorm is not null)
            {
                layers.Add((false, block.Out, block.Out));
            }
        }

        return layers;
    }

    private static string? PyTorchLayout(NetworkPlan plan, WeightsHeader header, IReadOnlyList<string> names, string architecture)
    {
        var layers = WeightLayers(plan);
        var modules = new Dictionary<string, Dictionary<string, WeightsEntry>>(StringComparer.Ordinal);
        var fileOrder = new List<string>();
        foreach (var entry in header.Entries)
        {
            var dot = entry.Name.LastIndexOf('.');
            var module = entry.Name.Substring(0, dot);
            if (!modules.TryGetValue(module, out var byKey))
            {
                modules[module] = byKey = new Dictionary<string, WeightsEntry>(StringComparer.Ordinal);
                fileOrder.Add(module);
            }

            byKey[entry.Name.Substring(dot + 1)] = entry;
        }

        var positional = Positional(fileOrder);
        string Mismatch(string reason, IReadOnlyList<string>? order = null) =>
            PyTorchMismatch(reason, layers, modules, order ?? positional ?? fileOrder, architecture);

        List<string> order;
        if (names.Count > 0)
        {
            order = names.ToList();
            if (order.Count != layers.Count)
            {
                return Mismatch($"Modules names {order.Count} modules for the network's {layers.Count} layers with weights", fileOrder);
            }

            foreach (var name in order.Where(n => !modules.ContainsKey(n)))
            {
                var modulesText = string.Join(", ", fileOrder.Select(m => "'" + m + "'"));
                return Mismatch($"the file has no module '{name}' (its modules are {modulesText})", fileOrder);
            }

            foreach (var module in fileOrder.Where(m => !order.Contains(m)))
            {
                return Mismatch($"the file has a module '{module}' that is not among the Modules names", fileOrder);
            }
        }
        else if (positional is not null)
        {
            order = positional;
        }
        else
        {
            var quoted = string.Join(", ", fileOrder.Select(m => "\"" + m + "\""));
            return Mismatch($"its module names ({string.Join(", ", fileOrder)}) are not positional numbers, so their order is unknown: name them in "
                + $"layer order, as in [Weights(\"{header.Path}\", Modules = new[] {{ {quoted} }})] (here in the file's order)", fileOrder);
        }

        if (order.Count != layers.Count)
        {
            return Mismatch($"it has {order.Count} modules with tensors, this network has {layers.Count} layers with weights", order);
        }

        for (var k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            var byKey = modules[order[k]];
            var expected = layer.Affine
                ? new (string Key, long[] Shape)[] { ("weight", new long[] { layer.Out, layer.In }), ("bias", new long[] { layer.Out }) }
                : new (string Key, long[] Shape)[]
                {
                    ("weight", new long[] { layer.Out }), ("bias", new long[] { layer.Out }),
                    ("running_mean", new long[] { layer.Out }), ("running_var", new long[] { layer.Out }),
                };
            foreach (var (key, shape) in expected)
            {
                var name = order[k] + "." + key;
                if (!byKey.TryGetValue(key, out var entry))
                {
                    return Mismatch($"it has no tensor '{name}' for layer {k + 1} ({Describe(layer)})", order);
                }

                if (!entry.Shape.SequenceEqual(shape))
                {
                    return Mismatch($"'{name}' has shape {entry.ShapeText}, but layer {k + 1} ({Describe(layer)}) needs {ShapeText(shape)}", order);
                }

                if (!FloatDTypes.Contains(entry.DType))
                {
                    return Mismatch($"'{name}' has dtype {entry.DType}; weights are read from F32, F64, F16 or BF16", order);
                }
            }

            foreach (var pair in byKey)
            {
                var counter = !layer.Affine && pair.Key == "num_batches_tracked" && pair.Value.DType == "I64" && pair.Value.Shape.Length <= 1
                    && pair.Value.Shape.All(d => d == 1);
                if (!counter && !expected.Any(e => e.Key == pair.Key))
                {
                    return Mismatch($"it has a tensor '{order[k]}.{pair.Key}' that layer {k + 1} ({Describe(layer)}) does not have", order);
                }
            }
        }

        return null;
    }

    // "net.0", "net.3", … (one prefix, then numbers): the modules sorted by number; null when the names are not like that.
    private static List<string>? Positional(List<string> modules)
    {
        string? stem = null;
        var numbered = new List<(long Number, string Module)>();
        foreach (var module in modules)
        {
            var dot = module.LastIndexOf('.');
            var prefix = module.Substring(0, dot + 1);
            if (!long.TryParse(module.Substring(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || (stem is not null && stem != prefix))
            {
                return null;
            }

            stem = prefix;
            numbered.Add((number, module));
        }

        return numbered.OrderBy(m => m.Number).Select(m => m.Module).ToList();
    }

    private static string Describe((bool Affine, int In, int Out) layer) => layer.Affine
        ? $"Affine({layer.Out}) from {layer.In} inputs, PyTorch's Linear({layer.In}, {layer.Out})"
        : $"BatchNorm of {layer.Out}, PyTorch's BatchNorm1d({layer.Out})";

    private static string PyTorchMismatch(
        string reason, List<(bool Affine, int In, int Out)> layers, Dictionary<string, Dictionary<string, WeightsEntry>> modules,
        IReadOnlyList<string> order, string architecture)
    {
        var expected = new StringBuilder();
        for (var k = 0; k < layers.Count; k++)
        {
            var l = layers[k];
            var module = k < order.Count ? order[k] : "?";
            expected.Append(k == 0 ? string.Empty : "; ").Append(l.Affine
                ? $"{module}.weight [{l.Out}, {l.In}], {module}.bias [{l.Out}] (Linear({l.In}, {l.Out}))"
                : $"{module}.weight, .bias, .running_mean, .running_var [{l.Out}] (BatchNorm1d({l.Out}))");
        }

        var found = string.Join(", ", order.Where(modules.ContainsKey).Concat(modules.Keys.Where(m => !order.Contains(m)))
            .SelectMany(m => modules[m].Values).Select(e => $"{e.Name} {e.DType} {e.ShapeText}"));
        return $"it holds a PyTorch state_dict: {reason}. This network ('{architecture}') expects, in layer order: {expected}. "
            + $"The file has: {found}. The declaration these shapes match is {Declaration(modules, order)}";
    }

    // "[Input(784)] [Affine(100), …] [Affine(10), …]" from the weights' shapes, in the given order.
    private static string Declaration(Dictionary<string, Dictionary<string, WeightsEntry>> modules, IReadOnlyList<string> order)
    {
        var parts = new List<string>();
        var blocks = new List<string>();
        foreach (var module in order.Where(modules.ContainsKey))
        {
            var byKey = modules[module];
            if (!byKey.TryGetValue("weight", out var weight))
            {
                continue;
            }

            if (weight.Shape.Length == 2)
            {
                if (parts.Count == 0)
                {
                    parts.Add($"[Input({weight.Shape[1]})]");
                }

                blocks.Add($"Affine({weight.Shape[0]})");
            }
            else if (weight.Shape.Length == 1 && byKey.ContainsKey("running_mean") && blocks.Count > 0)
            {
                blocks[blocks.Count - 1] += ", BatchNorm";
            }
        }

        if (blocks.Count == 0)
        {
            return "none: the file has no Linear weights ([out, in] tensors named 'weight')";
        }

        parts.AddRange(blocks.Select(b => "[" + b + ", …]"));
        return string.Join(" ", parts) + " (weights do not record activations or the head: write the ones the PyTorch model uses where '…' stands, "
            + "e.g. ReLU and Softmax)";
    }

    private static string PrecisionOf(string dtype) => dtype == "F64" ? ", Precision = Precision.Double" : string.Empty;

    private static string ShapeText(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private static string ShapeText(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    // "[Input(28, 28)] …" → "[Input(784)] …", as the runtime compares recorded declarations.
    private static string Flattened(string architecture)
    {
        const string Prefix = "[Input(";
        var close = architecture.IndexOf(")", StringComparison.Ordinal);
        if (!architecture.StartsWith(Prefix, StringComparison.Ordinal) || close < 0)
        {
            return architecture;
        }

        var inside = architecture.Substring(Prefix.Length, close - Prefix.Length);
        var precision = inside.IndexOf(", Precision", StringComparison.Ordinal);
        var dimensions = precision < 0 ? inside : inside.Substring(0, precision);
        long product = 1;
        foreach (var part in dimensions.Split(','))
        {
            if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var dimension) || dimension <= 0)
            {
                return architecture;
            }

            product = Math.Min(product * dimension, int.MaxValue + 1L);
        }

        var rest = precision < 0 ? string.Empty : inside.Substring(precision);
        return Prefix + product.ToString(CultureInfo.InvariantCulture) + rest + architecture.Substring(close);
    }
}
