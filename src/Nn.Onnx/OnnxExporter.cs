using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Nn.Onnx;

/// <summary>
/// Writes a generated network as an ONNX model (IR version 8, opset 17): input <c>x</c> <c>[N × InputSize]</c>,
/// output <c>scores</c> <c>[N × OutputSize]</c> (what <c>Forward</c> computes; no head), the weights as initializers
/// named like the network's tensors. Affine → Gemm, ReLU → Relu, LeakyReLU → LeakyRelu, Sigmoid, Tanh,
/// Maxout → Reshape to <c>[N, units, pieces]</c> + ReduceMax over the pieces, BatchNorm → BatchNormalization in
/// inference mode (scale γ, B β, input_mean and input_var the running statistics, attribute epsilon), the running
/// statistics being initializers too, named like the network's <c>StateTensors</c>. Dropout does nothing at inference
/// and has no step in <c>Layers</c>, so it has no node.
/// </summary>
/// <example>
/// <c>OnnxExporter.Export("net.onnx", net.Parameters, SpiralNet.Tensors, SpiralNet.Layers, nameof(SpiralNet));</c>, and for a
/// network with BatchNorm, whose running statistics live in its State:
/// <c>OnnxExporter.Export("net.onnx", net.Parameters, Net.Tensors, net.State, Net.StateTensors, Net.Layers, nameof(Net));</c>
/// </example>
public static class OnnxExporter
{
    // Field numbers and enum values from onnx/onnx.proto.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8;
    private const int OpsetVersion = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeF = 2, AttributeInts = 8, AttributeI = 3, AttributeType = 20;
    private const int AttributeTypeFloat = 1, AttributeTypeInt = 2, AttributeTypeInts = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorTypeElem = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1, DimParam = 2;
    private const int Float = 1, Int64 = 7, Double = 11;

    /// <summary>Writes the model of a network without state (no BatchNorm) to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">
    /// As <see cref="ToBytes{T}(ReadOnlySpan{T}, IReadOnlyList{TensorInfo}, IReadOnlyList{LayerInfo}, string)"/>.
    /// </exception>
    public static void Export<T>(string path, ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<LayerInfo> layers, string name)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        File.WriteAllBytes(path, ToBytes(parameters, tensors, layers, name));

    /// <summary>Writes the model to <paramref name="path"/>, the network's <c>State</c> (BatchNorm's running statistics) included.</summary>
    /// <exception cref="ArgumentException">
    /// The layers do not start with an Affine, a step does not name its tensors or names one that is in neither list, or a name is in both.
    /// </exception>
    public static void Export<T>(
        string path,
        ReadOnlySpan<T> parameters,
        IReadOnlyList<TensorInfo> tensors,
        ReadOnlySpan<T> state,
        IReadOnlyList<TensorInfo> stateTensors,
        IReadOnlyList<LayerInfo> layers,
        string name)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        File.WriteAllBytes(path, ToBytes(parameters, tensors, state, stateTensors, layers, name));

    /// <summary>The model of a network without state (no BatchNorm) as bytes, e.g. for <c>new InferenceSession(bytes)</c>.</summary>
    /// <exception cref="ArgumentException">
    /// The layers do not start with an Affine, or name a tensor that is not in <paramref name="tensors"/> (a BatchNorm step's running
    /// statistics are in the network's StateTensors: use the overload that takes the State).
    /// </exception>
    public static byte[] ToBytes<T>(ReadOnlySpan<T> parameters, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<LayerInfo> layers, string name)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ToBytes(parameters, tensors, ReadOnlySpan<T>.Empty, Array.Empty<TensorInfo>(), layers, name);

    /// <summary>
    /// The model as bytes, e.g. for <c>new InferenceSession(bytes)</c>: <paramref name="tensors"/> of <paramref name="parameters"/> and
    /// <paramref name="stateTensors"/> of <paramref name="state"/> (a network's <c>State</c> and <c>StateTensors</c>) become initializers.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The layers do not start with an Affine, a step does not name its tensors or names one that is in neither list, or a name is in both.
    /// </exception>
    public static byte[] ToBytes<T>(
        ReadOnlySpan<T> parameters,
        IReadOnlyList<TensorInfo> tensors,
        ReadOnlySpan<T> state,
        IReadOnlyList<TensorInfo> stateTensors,
        IReadOnlyList<LayerInfo> layers,
        string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(stateTensors);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0 || layers[0].Op != LayerOp.Affine)
        {
            throw new ArgumentException("The layers must start with an Affine step.", nameof(layers));
        }

        var elementType = typeof(T) == typeof(double) ? Double : Float;
        var graph = new ProtoWriter().String(GraphName, name);
        var names = new HashSet<string>(StringComparer.Ordinal);
        Initializers(graph, names, parameters, tensors, elementType, nameof(tensors));
        Initializers(graph, names, state, stateTensors, elementType, nameof(stateTensors));

        var current = "x";
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var output = i == layers.Count - 1 ? "scores" : "v" + i.ToString(CultureInfo.InvariantCulture);
            var node = layer.Op switch
            {
                LayerOp.Affine => Node("Gemm", output, current, Read(names, layer.Weights, i), Read(names, layer.Bias, i)),
                LayerOp.ReLU => Node("Relu", output, current),
                LayerOp.LeakyReLU => Node("LeakyRelu", output, current).Message(NodeAttribute, FloatAttribute("alpha", (float)layer.Argument)),
                LayerOp.Sigmoid => Node("Sigmoid", output, current),
                LayerOp.Tanh => Node("Tanh", output, current),
                LayerOp.Maxout => Maxout(graph, layer, current, output, i),
                LayerOp.BatchNorm => BatchNorm(names, layer, current, output, i),
                _ => throw new ArgumentException($"Layer {i} has an operation ({layer.Op}) the exporter does not know.", nameof(layers)),
            };
            graph.Message(GraphNode, node.String(NodeName, layer.Op + "_" + i.ToString(CultureInfo.InvariantCulture)));
            current = output;
        }

        graph.Message(GraphInput, Value("x", elementType, layers[0].Inputs));
        graph.Message(GraphOutput, Value("scores", elementType, layers[^1].Outputs));
        return new ProtoWriter()
            .Int64(ModelIrVersion, 8)
            .String(ModelProducerName, "Nn")
            .String(ModelProducerVersion, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(ModelOpsetImport, new ProtoWriter().Int64(OpsetVersion, 17))
            .Message(ModelGraph, graph)
            .ToArray();
    }

    // One initializer per tensor, its values sliced from the buffer; every name once across parameters and state.
    private static void Initializers<T>(
        ProtoWriter graph, HashSet<string> names, ReadOnlySpan<T> values, IReadOnlyList<TensorInfo> tensors, int elementType, string argument)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var tensor in tensors)
        {
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' is named twice.", argument);
            }

            var dims = Array.ConvertAll(tensor.Shape, d => (long)d);
            var data = MemoryMarshal.AsBytes(values.Slice(tensor.Offset, tensor.Length));
            graph.Message(GraphInitializer, Tensor(tensor.Name, elementType, dims, data));
        }
    }

    // Inference-mode BatchNormalization (training_mode = 0, the default): y = scale·(x − input_mean)/√(input_var + epsilon) + B
    // per channel, the channels being the columns of [N, C].
    private static ProtoWriter BatchNorm(HashSet<string> names, LayerInfo layer, string input, string output, int index) =>
        Node("BatchNormalization", output, input, Read(names, layer.Weights, index), Read(names, layer.Bias, index),
                Read(names, layer.Mean, index), Read(names, layer.Variance, index))
            .Message(NodeAttribute, FloatAttribute("epsilon", (float)layer.Argument));

    // A tensor a step reads: it must be named, and be one of the initializers.
    private static string Read(HashSet<string> names, string? tensor, int index)
    {
        if (tensor is null)
        {
            throw new ArgumentException($"Layer {index} does not name all of its tensors.", "layers");
        }

        if (!names.Contains(tensor))
        {
            throw new ArgumentException(
                $"Layer {index} reads tensor '{tensor}', which is in neither the tensors nor the state tensors given "
                + "(BatchNorm's running statistics are in the network's StateTensors: pass its State and StateTensors).",
                "layers");
        }

        return tensor;
    }

    // [N, units·k] → Reshape [−1, units, k] → ReduceMax(axes = [2], keepdims = 0) → [N, units]
    private static ProtoWriter Maxout(ProtoWriter graph, LayerInfo layer, string input, string output, int index)
    {
        var pieces = (long)layer.Argument;
        var shapeName = "maxout_shape_" + index.ToString(CultureInfo.InvariantCulture);
        var reshaped = "maxout_groups_" + index.ToString(CultureInfo.InvariantCulture);
        long[] shape = { -1, layer.Outputs, pieces };
        graph.Message(GraphInitializer, Tensor(shapeName, Int64, new long[] { 3 }, MemoryMarshal.AsBytes(shape.AsSpan())));
        graph.Message(GraphNode, Node("Reshape", reshaped, input, shapeName).String(NodeName, "Maxout_" + index.ToString(CultureInfo.InvariantCulture) + "_reshape"));
        return Node("ReduceMax", output, reshaped)
            .Message(NodeAttribute, new ProtoWriter().String(AttributeName, "axes").PackedInt64(AttributeInts, new long[] { 2 }).Int32(AttributeType, AttributeTypeInts))
            .Message(NodeAttribute, new ProtoWriter().String(AttributeName, "keepdims").Int64(AttributeI, 0).Int32(AttributeType, AttributeTypeInt));
    }

    private static ProtoWriter Node(string op, string output, params string[] inputs)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(NodeInput, input);
        }

        return node.String(NodeOutput, output).String(NodeOpType, op);
    }

    private static ProtoWriter FloatAttribute(string name, float value) =>
        new ProtoWriter().String(AttributeName, name).Float(AttributeF, value).Int32(AttributeType, AttributeTypeFloat);

    private static ProtoWriter Tensor(string name, int dataType, long[] dims, ReadOnlySpan<byte> littleEndianData) =>
        new ProtoWriter().PackedInt64(TensorDims, dims).Int32(TensorDataType, dataType).String(TensorName, name).Bytes(TensorRawData, littleEndianData);

    // A tensor value [N × width] with a symbolic batch dimension.
    private static ProtoWriter Value(string name, int elementType, int width)
    {
        var shape = new ProtoWriter()
            .Message(ShapeDim, new ProtoWriter().String(DimParam, "N"))
            .Message(ShapeDim, new ProtoWriter().Int64(DimValue, width));
        var tensorType = new ProtoWriter().Int32(TensorTypeElem, elementType).Message(TensorTypeShape, shape);
        return new ProtoWriter().String(ValueInfoName, name).Message(ValueInfoType, new ProtoWriter().Message(TypeTensor, tensorType));
    }
}
