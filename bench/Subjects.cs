using System;
using System.Collections.Generic;
using Nn.Onnx;

namespace Nn.Benchmarks;

/// <summary>One benchmarked architecture: its generated network behind delegates, and its ONNX export.</summary>
internal sealed class Subject
{
    public delegate void ForwardBatch(ReadOnlySpan<float> x, Span<float> scores, int batch);

    public delegate void ForwardOne(ReadOnlySpan<float> x, Span<float> scores);

    public delegate float Loss(ReadOnlySpan<float> x, ReadOnlySpan<int> y, double reg);

    public required int Inputs { get; init; }

    public required int Outputs { get; init; }

    public required ForwardBatch Batch { get; init; }

    public required ForwardOne One { get; init; }

    public required Func<int, (Loss Loss, Action<float> Step)> Trainer { get; init; }

    public required byte[] Onnx { get; init; }

    /// <summary>The network's live parameter buffer (what its trainer updates).</summary>
    public required float[] Parameters { get; init; }

    /// <summary>Where each named tensor (<c>W1</c>, <c>b1</c>, …) sits in <see cref="Parameters"/>.</summary>
    public required IReadOnlyList<TensorInfo> Tensors { get; init; }

    /// <summary>The forward pass, layer by layer.</summary>
    public required IReadOnlyList<LayerInfo> Layers { get; init; }

    public static IEnumerable<string> Names => new[] { "2-100-3", "784-100-10", "3072-100-10", "784-512-512-10" };

    public static Subject Create(string name) => name switch
    {
        "2-100-3" => Make(new Net2x100x3(1), Net2x100x3.InputSize, Net2x100x3.OutputSize, n => n.Parameters, Net2x100x3.Tensors, Net2x100x3.Layers, (n, b) => { var t = new Net2x100x3.Trainer(n, b); return (t.Loss, t.Step); }, n => n.Forward, n => n.Forward),
        "784-100-10" => Make(new Net784x100x10(1), Net784x100x10.InputSize, Net784x100x10.OutputSize, n => n.Parameters, Net784x100x10.Tensors, Net784x100x10.Layers, (n, b) => { var t = new Net784x100x10.Trainer(n, b); return (t.Loss, t.Step); }, n => n.Forward, n => n.Forward),
        "3072-100-10" => Make(new Net3072x100x10(1), Net3072x100x10.InputSize, Net3072x100x10.OutputSize, n => n.Parameters, Net3072x100x10.Tensors, Net3072x100x10.Layers, (n, b) => { var t = new Net3072x100x10.Trainer(n, b); return (t.Loss, t.Step); }, n => n.Forward, n => n.Forward),
        "784-512-512-10" => Make(new Net784x512x512x10(1), Net784x512x512x10.InputSize, Net784x512x512x10.OutputSize, n => n.Parameters, Net784x512x512x10.Tensors, Net784x512x512x10.Layers, (n, b) => { var t = new Net784x512x512x10.Trainer(n, b); return (t.Loss, t.Step); }, n => n.Forward, n => n.Forward),
        _ => throw new ArgumentException("unknown architecture " + name),
    };

    private static Subject Make<TNet>(
        TNet net, int inputs, int outputs, Func<TNet, float[]> parameters, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<LayerInfo> layers,
        Func<TNet, int, (Loss, Action<float>)> trainer, Func<TNet, ForwardBatch> batch, Func<TNet, ForwardOne> one) => new()
    {
        Inputs = inputs,
        Outputs = outputs,
        Batch = batch(net),
        One = one(net),
        Trainer = maxBatch => trainer(net, maxBatch),
        Onnx = OnnxExporter.ToBytes<float>(parameters(net), tensors, layers, typeof(TNet).Name),
        Parameters = parameters(net),
        Tensors = tensors,
        Layers = layers,
    };
}
