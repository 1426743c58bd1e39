using System;
using System.IO;
using System.Numerics;

namespace Nn.Onnx;

/// <summary>
/// <c>net.LoadOnnx(path)</c> for every generated network: <see cref="OnnxImporter"/>'s load, given the network's own
/// <see cref="INetwork{T}.Parameters"/>, <see cref="INetwork.Tensors"/>, <see cref="INetwork{T}.State"/>,
/// <see cref="INetwork.StateTensors"/>, <see cref="INetwork.Layers"/> and <see cref="INetwork.Architecture"/>. The element type
/// is inferred from the network's class (<c>INetwork&lt;float&gt;</c> or <c>INetwork&lt;double&gt;</c>).
/// </summary>
/// <example>
/// <code>
/// var net = new FashionNet();
/// net.LoadOnnx("fashion.onnx");
/// </code>
/// </example>
public static class OnnxNetworkExtensions
{
    /// <summary>
    /// Loads the ONNX model at <paramref name="path"/> (for example one written by <c>torch.onnx.export</c>) into
    /// <paramref name="network"/>, after checking that its graph is the network's declaration; BatchNorm's running statistics
    /// go into the network's State. Nothing in the network changes unless the whole model has been read and checked.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not an ONNX model the importer reads, or its graph is not the declaration; the message names the node, what
    /// the declaration expected there, and the declaration that matches the file.
    /// </exception>
    public static void LoadOnnx<T>(this INetwork<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        OnnxImporter.Load<T>(path, network.Parameters, network.Tensors, network.State, network.StateTensors, network.Layers, network.Architecture);
    }

    /// <summary>As <see cref="LoadOnnx{T}(INetwork{T}, string)"/>, from a stream read to its end (never beyond what the network can need).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidDataException">As <see cref="LoadOnnx{T}(INetwork{T}, string)"/>.</exception>
    public static void LoadOnnx<T>(this INetwork<T> network, Stream stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        OnnxImporter.Load<T>(stream, network.Parameters, network.Tensors, network.State, network.StateTensors, network.Layers, network.Architecture);
    }

    /// <summary>As <see cref="LoadOnnx{T}(INetwork{T}, string)"/>, from a whole model's bytes in memory (an embedded resource, a download).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="InvalidDataException">As <see cref="LoadOnnx{T}(INetwork{T}, string)"/>.</exception>
    public static void LoadOnnx<T>(this INetwork<T> network, ReadOnlySpan<byte> bytes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        OnnxImporter.Load<T>(bytes, network.Parameters, network.Tensors, network.State, network.StateTensors, network.Layers, network.Architecture);
    }
}
