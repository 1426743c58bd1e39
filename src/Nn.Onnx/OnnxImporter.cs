using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using Google.Protobuf;

namespace Nn.Onnx;

/// <summary>
/// Loads the weights of an ONNX model (for example one written by <c>torch.onnx.export</c>) into a generated network, after
/// checking that the model's graph is the network's declaration: the same layers in the same order, the same widths, the same
/// LeakyReLU slopes and BatchNorm epsilons. Supported nodes: Gemm (weights [in × out], or [out × in] with transB = 1, which is
/// how PyTorch's Linear exports), MatMul followed by Add, Relu, LeakyRelu, Sigmoid, Tanh, BatchNormalization in inference mode,
/// Flatten (axis 1), Identity, Dropout, Constant, and a final Softmax. Element types float, double, float16 and bfloat16 are
/// converted to the network's. Anything else is refused with the node and the reason; a model that does not match names the
/// node, what the declaration expected, and prints the declaration that would match the file. Nothing is written into the
/// network until the whole model has been read and checked.
/// </summary>
/// <example>
/// <c>OnnxImporter.Load("fashion.onnx", net.Parameters, FashionNet.Tensors, FashionNet.Layers, FashionNet.Architecture);</c>, and
/// for a network with BatchNorm, whose running statistics live in its State:
/// <c>OnnxImporter.Load("net.onnx", net.Parameters, Net.Tensors, net.State, Net.StateTensors, Net.Layers, Net.Architecture);</c>
/// </example>
public static class OnnxImporter
{
    /// <summary>Bytes a model may have beyond eight per value of the network: names, nodes and attributes.</summary>
    private const long GraphAllowance = 16L << 20;

    private static readonly string[] Heads = { "Softmax", "Svm", "Logistic", "MeanSquaredError" };

    /// <summary>Loads the ONNX model at <paramref name="path"/> into a network without state (no BatchNorm).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not an ONNX model the importer reads, or its graph is not the declaration; the message names the node and shows
    /// the declaration that matches the file.
    /// </exception>
    public static void Load<T>(string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<LayerInfo> layers, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Load(path, parameters, tensors, Span<T>.Empty, Array.Empty<TensorInfo>(), layers, architecture);

    /// <summary>Loads the ONNX model at <paramref name="path"/>; BatchNorm's running statistics go into the network's State.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, IReadOnlyList{LayerInfo}, string)"/>.</exception>
    public static void Load<T>(
        string path, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        IReadOnlyList<LayerInfo> layers, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ReadFile(path, Limit(parameters.Length, state.Length));
        Load(bytes, $"'{path}'", parameters, tensors, state, stateTensors, layers, architecture);
    }

    /// <summary>Loads an ONNX model from a stream (read to its end, never beyond what the network can need).</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, IReadOnlyList{LayerInfo}, string)"/>.</exception>
    public static void Load<T>(
        Stream stream, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        IReadOnlyList<LayerInfo> layers, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        var limit = Limit(parameters.Length, state.Length);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw OnnxGraphReader.Invalid("from the stream", $"it is longer than {limit:N0} bytes, more than a model of this network can need");
            }

            buffer.Write(chunk, 0, read);
        }

        Load(new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), "from the stream", parameters, tensors, state, stateTensors, layers, architecture);
    }

    /// <summary>Loads an ONNX model held in memory (for example an embedded resource).</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load{T}(string, Span{T}, IReadOnlyList{TensorInfo}, IReadOnlyList{LayerInfo}, string)"/>.</exception>
    public static void Load<T>(
        ReadOnlySpan<byte> model, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state, IReadOnlyList<TensorInfo> stateTensors,
        IReadOnlyList<LayerInfo> layers, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var limit = Limit(parameters.Length, state.Length);
        if (model.Length > limit)
        {
            throw OnnxGraphReader.Invalid("from memory", $"it is {model.Length:N0} bytes, more than a model of this network can need ({limit:N0})");
        }

        Load(model.ToArray(), "from memory", parameters, tensors, state, stateTensors, layers, architecture);
    }

    /// <summary>
    /// The Nn declaration that matches the ONNX model at <paramref name="path"/>, e.g. <c>[Input(784)] [Affine(100), ReLU] [Affine(10), Softmax]</c>:
    /// what to write on the network class to load it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX model the importer reads; the message names the node and the reason.</exception>
    public static string Describe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var source = $"'{path}'";
        return Read(ReadFile(path, int.MaxValue), source).Declaration(null, isDouble: false);
    }

    private static long Limit(int parameters, int state) => (8L * ((long)parameters + state)) + GraphAllowance;

    private static byte[] ReadFile(string path, long limit)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"ONNX model '{path}' is a directory, not a file.");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = file.Length;
        if (length == 0 || !file.CanSeek)
        {
            throw new InvalidDataException($"ONNX model '{path}' is empty or not a regular file.");
        }

        if (length > limit)
        {
            throw new InvalidDataException(
                $"ONNX model '{path}' is {length:N0} bytes, more than a model of this network can need ({limit:N0}); is it the right file?");
        }

        var bytes = new byte[length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static ImportedGraph Read(ReadOnlyMemory<byte> bytes, string source)
    {
        OnnxModel model;
        try
        {
            model = OnnxModel.Parse(UnsafeByteOperations.UnsafeWrap(bytes));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw OnnxGraphReader.Invalid(source, $"it is not a valid ONNX (protobuf) file ({e.Message})");
        }

        if (model.Nodes.Count == 0)
        {
            throw OnnxGraphReader.Invalid(source, "it has no graph nodes (is it an ONNX model?)");
        }

        return OnnxGraphReader.Read(model, source);
    }

    private static void Load<T>(
        ReadOnlyMemory<byte> bytes, string source, Span<T> parameters, IReadOnlyList<TensorInfo> tensors, Span<T> state,
        IReadOnlyList<TensorInfo> stateTensors, IReadOnlyList<LayerInfo> layers, string architecture)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(stateTensors);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(architecture);
        var graph = Read(bytes, source);
        var declaredHead = DeclaredHead(architecture);
        Match(graph, layers, declaredHead, source, architecture, typeof(T) == typeof(double));

        // Everything is converted into copies first, so that a tensor found wrong halfway leaves the network as it was.
        var writes = new List<(bool State, TensorInfo Tensor, T[] Values)>();
        for (var i = 0; i < layers.Count; i++)
        {
            var step = graph.Steps[i];
            var layer = layers[i];
            if (layer.Op == LayerOp.Affine)
            {
                writes.Add(Write<T>(false, tensors, layer.Weights, step.Tensors[0], step, source));
                writes.Add(Write<T>(false, tensors, layer.Bias, step.Tensors[1], step, source));
            }
            else if (layer.Op == LayerOp.BatchNorm)
            {
                writes.Add(Write<T>(false, tensors, layer.Weights, step.Tensors[0], step, source));
                writes.Add(Write<T>(false, tensors, layer.Bias, step.Tensors[1], step, source));
                writes.Add(Write<T>(true, stateTensors, layer.Mean, step.Tensors[2], step, source));
                writes.Add(Write<T>(true, stateTensors, layer.Variance, step.Tensors[3], step, source));
            }
        }

        foreach (var (isState, tensor, values) in writes)
        {
            var target = isState ? state : parameters;
            if ((long)tensor.Offset + tensor.Length > target.Length)
            {
                throw new ArgumentException(
                    $"Tensor '{tensor.Name}' ends at {tensor.Offset + tensor.Length}, beyond the {(isState ? "state" : "parameters")} given ({target.Length}).",
                    isState ? nameof(state) : nameof(parameters));
            }
        }

        foreach (var (isState, tensor, values) in writes)
        {
            values.CopyTo((isState ? state : parameters).Slice(tensor.Offset, tensor.Length));
        }
    }

    private static (bool, TensorInfo, T[]) Write<T>(bool isState, IReadOnlyList<TensorInfo> tensors, string? name, double[] values, ImportedStep step, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = tensors.FirstOrDefault(t => t.Name == name)
            ?? throw new ArgumentException(
                $"The network's {(isState ? "state tensors" : "tensors")} have no '{name}', which its layers name; pass the network's "
                + (isState ? "State and StateTensors" : "Parameters and Tensors") + ".", isState ? "stateTensors" : nameof(tensors));
        if (tensor.Length != values.Length)
        {
            throw OnnxGraphReader.Invalid(source, $"node {step.Node} gives {values.Length} values for '{tensor.Name}', which holds {tensor.Length}");
        }

        var converted = new T[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            converted[i] = T.CreateChecked(values[i]);
        }

        return (isState, tensor, converted);
    }

    // The head is the last item of the last bracket of Architecture: "[Affine(10), Softmax]" → Softmax.
    private static string? DeclaredHead(string architecture)
    {
        var last = architecture.TrimEnd().TrimEnd(']');
        var item = last[(last.LastIndexOf(',') + 1)..].Trim();
        return Array.IndexOf(Heads, item) >= 0 ? item : null;
    }

    private static void Match(ImportedGraph graph, IReadOnlyList<LayerInfo> layers, string? declaredHead, string source, string architecture, bool isDouble)
    {
        // A final Sigmoid the declaration has no step for is the Logistic head's probability.
        if (graph.Head is null && declaredHead == "Logistic" && graph.Steps.Count == layers.Count + 1 && graph.Steps[^1].Op == LayerOp.Sigmoid)
        {
            graph.Head = "Logistic";
            graph.HeadNode = graph.Steps[^1].Node;
            graph.Steps.RemoveAt(graph.Steps.Count - 1);
        }

        string? problem = null;
        var count = Math.Max(graph.Steps.Count, layers.Count);
        for (var i = 0; i < count && problem is null; i++)
        {
            if (i >= graph.Steps.Count)
            {
                problem = $"the model ends after node {graph.Steps[^1].Node}, where the declaration goes on with {Expected(layers[i])} (step {i + 1})";
                break;
            }

            var step = graph.Steps[i];
            if (i >= layers.Count)
            {
                problem = $"node {step.Node} ({ImportedGraph.Describe(step)}) comes after the declaration's last step";
                break;
            }

            if (!Same(step, layers[i]))
            {
                problem = $"node {step.Node} is {ImportedGraph.Describe(step)}, where the declaration expects {Expected(layers[i])} (step {i + 1})";
            }
        }

        if (problem is null && graph.Head is not null && graph.Head != declaredHead && !(graph.Head == "Softmax" && declaredHead is null))
        {
            problem = $"node {graph.HeadNode} is a {graph.Head} head, where the declaration "
                + (declaredHead is null ? "has no head" : $"has a {declaredHead} head");
        }

        if (problem is not null)
        {
            throw new InvalidDataException(
                $"ONNX model {source} does not match the declaration: {problem}.{Environment.NewLine}"
                + $"  declared:         {architecture}{Environment.NewLine}"
                + $"  the file matches: {graph.Declaration(declaredHead, isDouble)}");
        }
    }

    private static bool Same(ImportedStep step, LayerInfo layer) =>
        step.Op == layer.Op && layer.Op switch
        {
            LayerOp.Affine => step.Inputs == layer.Inputs && step.Outputs == layer.Outputs,
            LayerOp.BatchNorm => step.Outputs == layer.Outputs && Close(step.Argument, layer.Argument),
            LayerOp.LeakyReLU => Close(step.Argument, layer.Argument),
            _ => true,
        };

    // The file holds float attributes: 0.2 declared is 0.200000003 in the file.
    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

    private static string Expected(LayerInfo layer) => layer.Op switch
    {
        LayerOp.Affine => $"Affine({layer.Outputs.ToString(CultureInfo.InvariantCulture)}) [{layer.Inputs} → {layer.Outputs}]",
        LayerOp.LeakyReLU => "LeakyReLU(" + ImportedGraph.Number(layer.Argument) + ")",
        LayerOp.BatchNorm => $"BatchNorm(Epsilon = {ImportedGraph.Number(layer.Argument)}) of {layer.Outputs}",
        LayerOp.Maxout => $"Maxout({layer.Argument}), which the importer does not read",
        _ => layer.Op.ToString(),
    };
}
