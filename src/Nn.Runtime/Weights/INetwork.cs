using System;
using System.Collections.Generic;
using System.IO;

namespace Nn;

/// <summary>
/// What every generated network is, whatever its element type: its sizes, its description (<see cref="Tensors"/>,
/// <see cref="StateTensors"/>, <see cref="Layers"/>, <see cref="Architecture"/>) and its weights files. Code that handles
/// any network without knowing its class, such as <see cref="NetworkSlot{TNetwork}"/>, constrains on it; code that also
/// touches the values (loaders such as <c>LoadOnnx</c>, inference) uses <see cref="INetwork{T}"/>.
/// </summary>
/// <remarks>
/// The generator implements it explicitly, forwarding to the class's own members (the constants <c>InputSize</c> and
/// <c>OutputSize</c>, the static <c>Tensors</c> and <c>Layers</c>, the instance <c>Load</c> and <c>Save</c>), so a network's
/// public surface is unchanged. Implement it only through the generator: the members must describe the class's
/// <c>Parameters</c> exactly. Thread safety is the class's: reading the description and <c>Save</c> are safe while other
/// threads run inference; <c>Load</c> is not (docs/concurrency.md).
/// </remarks>
public interface INetwork
{
    /// <summary>Inputs per sample (the declared <c>[Input(...)]</c> shape, flattened).</summary>
    int InputSize { get; }

    /// <summary>Outputs (scores) per sample.</summary>
    int OutputSize { get; }

    /// <summary>The declaration, as written into weights files and checked when they are loaded, e.g. <c>[Input(2)] [Affine(100), ReLU] [Affine(3), Softmax]</c>.</summary>
    string Architecture { get; }

    /// <summary>The tensors of the parameters: name, offset and shape, as saved in weights files (<c>W1</c>, <c>b1</c>, …).</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The tensors of the state (BatchNorm's running statistics, <c>runningMean1</c>, <c>runningVar1</c>, …); empty for a network without state.</summary>
    IReadOnlyList<TensorInfo> StateTensors { get; }

    /// <summary>The forward pass step by step (scores, before any head), for exporters and importers such as Nn.Onnx.</summary>
    IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>
    /// Loads a safetensors file (Nn's layout or a PyTorch state_dict) after checking every tensor's name, dtype and shape;
    /// a bad file changes nothing.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted, foreign, or made for another architecture.</exception>
    void Load(string path, WeightsOptions? options = null);

    /// <summary>As <see cref="Load(string, WeightsOptions?)"/>, from a stream read to its end.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(string, WeightsOptions?)"/>.</exception>
    void Load(Stream stream, WeightsOptions? options = null);

    /// <summary>As <see cref="Load(string, WeightsOptions?)"/>, from a whole file's bytes in memory.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(string, WeightsOptions?)"/>.</exception>
    void Load(ReadOnlySpan<byte> bytes, WeightsOptions? options = null);

    /// <summary>Saves the parameters (and state) as a safetensors file in Nn's layout, atomically.</summary>
    void Save(string path);

    /// <summary>Saves in <paramref name="layout"/>: Nn's, or a PyTorch state_dict of the equivalent nn.Sequential.</summary>
    void Save(string path, WeightsLayout layout);
}
