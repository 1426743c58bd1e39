using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Nn;

public static partial class Safetensors
{
    private static readonly string[] FloatDTypes = { "F32", "F64", "F16", "BF16" };

    // A PyTorch state_dict ("0.weight", "0.bias", "1.running_mean", …): the modules with tensors, in layer order (by their
    // positional numbers, or as the caller names them), matched one by one to the network's Affine and BatchNorm layers.
    private static List<Assignment> PyTorchPlan(Header header, string source, Goal target)
    {
        var layers = target.Layers!.Where(l => l.Op is LayerOp.Affine or LayerOp.BatchNorm).ToList();
        var modules = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        var fileOrder = new List<string>();
        foreach (var entry in header.Entries)
        {
            var dot = entry.Name.LastIndexOf('.');
            var module = entry.Name[..dot];
            if (!modules.TryGetValue(module, out var tensors))
            {
                modules[module] = tensors = new Dictionary<string, Entry>(StringComparer.Ordinal);
                fileOrder.Add(module);
            }

            tensors[entry.Name[(dot + 1)..]] = entry;
        }

        var positional = Positional(fileOrder);
        InvalidDataException Mismatch(string reason, IReadOnlyList<string>? order = null) =>
            PyTorchMismatch(source, reason, layers, modules, order ?? positional ?? fileOrder, target.Architecture);

        List<string> order;
        if (target.Options?.Modules is { } names)
        {
            order = names.ToList();
            if (order.Count != layers.Count)
            {
                throw Mismatch($"{order.Count} module names were given for the network's {layers.Count} layers with weights", fileOrder);
            }

            foreach (var name in order.Where(n => !modules.ContainsKey(n)))
            {
                throw Mismatch($"the file has no module '{name}' (its modules are {string.Join(", ", fileOrder.Select(m => "'" + m + "'"))})", fileOrder);
            }

            foreach (var module in fileOrder.Where(m => !order.Contains(m)))
            {
                throw Mismatch($"the file has a module '{module}' that is not among the names given", fileOrder);
            }
        }
        else if (positional is not null)
        {
            order = positional;
        }
        else
        {
            var quoted = string.Join(", ", fileOrder.Select(m => "\"" + m + "\""));
            throw Mismatch($"its module names ({string.Join(", ", fileOrder)}) are not positional numbers, so their order is unknown: name them in "
                + $"layer order, as in net.Load(path, new WeightsOptions {{ Modules = [{quoted}] }}) (here in the file's order)", fileOrder);
        }

        if (order.Count != layers.Count)
        {
            throw Mismatch($"it has {order.Count} modules with tensors, this network has {layers.Count} layers with weights", order);
        }

        var byName = target.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var plan = new List<Assignment>();
        for (var k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            var tensors = modules[order[k]];
            var expected = layer.Op == LayerOp.Affine
                ? new (string Key, long[] Shape, string? Into, bool Transpose)[]
                {
                    ("weight", new long[] { layer.Outputs, layer.Inputs }, layer.Weights, true), ("bias", new long[] { layer.Outputs }, layer.Bias, false),
                }
                : new (string Key, long[] Shape, string? Into, bool Transpose)[]
                {
                    ("weight", new long[] { layer.Outputs }, layer.Weights, false), ("bias", new long[] { layer.Outputs }, layer.Bias, false),
                    ("running_mean", new long[] { layer.Outputs }, layer.Mean, false), ("running_var", new long[] { layer.Outputs }, layer.Variance, false),
                };
            foreach (var (key, shape, into, transpose) in expected)
            {
                var name = order[k] + "." + key;
                if (!tensors.TryGetValue(key, out var entry))
                {
                    throw Mismatch($"it has no tensor '{name}' for layer {k + 1} ({Describe(layer)})", order);
                }

                if (!entry.Shape.AsSpan().SequenceEqual(shape))
                {
                    throw Mismatch($"'{name}' has shape {entry.ShapeText}, but layer {k + 1} ({Describe(layer)}) needs [{string.Join(", ", shape)}]", order);
                }

                if (!FloatDTypes.Contains(entry.DType))
                {
                    throw Mismatch($"'{name}' has dtype {entry.DType}; weights are read from F32, F64, F16 or BF16", order);
                }

                plan.Add(new Assignment(byName[into!], entry, transpose));
            }

            foreach (var (key, entry) in tensors)
            {
                var counter = layer.Op == LayerOp.BatchNorm && key == "num_batches_tracked" && entry.DType == "I64" && entry.Shape.Length <= 1
                    && entry.Shape.All(d => d == 1);
                if (!counter && !expected.Any(e => e.Key == key))
                {
                    throw Mismatch($"it has a tensor '{order[k]}.{key}' that layer {k + 1} ({Describe(layer)}) does not have", order);
                }
            }
        }

        return plan;
    }

    // "net.0", "net.3", … (one prefix, then numbers): the modules sorted by number; null when the names are not like that.
    private static List<string>? Positional(List<string> modules)
    {
        string? stem = null;
        var numbered = new List<(long Number, string Module)>();
        foreach (var module in modules)
        {
            var dot = module.LastIndexOf('.');
            var prefix = module[..(dot + 1)];
            if (!long.TryParse(module[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || (stem is not null && stem != prefix))
            {
                return null;
            }

            stem = prefix;
            numbered.Add((number, module));
        }

        return numbered.OrderBy(m => m.Number).Select(m => m.Module).ToList();
    }

    private static string Describe(LayerInfo layer) => layer.Op == LayerOp.Affine
        ? $"Affine({layer.Outputs}) from {layer.Inputs} inputs, PyTorch's Linear({layer.Inputs}, {layer.Outputs})"
        : $"BatchNorm of {layer.Outputs}, PyTorch's BatchNorm1d({layer.Outputs})";

    // The message for a PyTorch file that does not fit: why, the tensors the network expects and those the file has, with their
    // shapes, and the declaration the file's shapes imply (activations and the head are not in the weights, so they stay open).
    private static InvalidDataException PyTorchMismatch(
        string source, string reason, List<LayerInfo> layers, Dictionary<string, Dictionary<string, Entry>> modules, IReadOnlyList<string> order,
        string architecture)
    {
        var expected = new StringBuilder();
        for (var k = 0; k < layers.Count; k++)
        {
            var l = layers[k];
            var module = k < order.Count ? order[k] : "?";
            expected.Append(k == 0 ? string.Empty : "; ").Append(l.Op == LayerOp.Affine
                ? $"{module}.weight [{l.Outputs}, {l.Inputs}], {module}.bias [{l.Outputs}] (Linear({l.Inputs}, {l.Outputs}))"
                : $"{module}.weight, .bias, .running_mean, .running_var [{l.Outputs}] (BatchNorm1d({l.Outputs}))");
        }

        var found = string.Join(", ", order.Where(modules.ContainsKey).Concat(modules.Keys.Where(m => !order.Contains(m)))
            .SelectMany(m => modules[m].Values).Select(e => $"{e.Name} {e.DType} {e.ShapeText}"));
        return Invalid(source, $"it holds a PyTorch state_dict that does not fit this network: {reason}. This network ('{architecture}') expects, "
            + $"in layer order: {expected}. The file has: {found}. The declaration these shapes match is {Declaration(modules, order)}");
    }

    // "[Input(784)] [Affine(100), BatchNorm, …] [Affine(10), …]" from the weights' shapes, in the given order.
    private static string Declaration(Dictionary<string, Dictionary<string, Entry>> modules, IReadOnlyList<string> order)
    {
        var parts = new List<string>();
        var blocks = new List<string>();
        foreach (var module in order.Where(modules.ContainsKey))
        {
            var tensors = modules[module];
            if (!tensors.TryGetValue("weight", out var weight))
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
            else if (weight.Shape.Length == 1 && tensors.ContainsKey("running_mean") && blocks.Count > 0)
            {
                blocks[^1] += ", BatchNorm";
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
}
