using System;

namespace Nn;

/// <summary>
/// Embeds a safetensors weights file in the assembly, checked against the declaration at compile time:
/// <c>new Net()</c> starts with these weights, and a NativeAOT binary needs no file beside it.
/// </summary>
/// <remarks>
/// <para>
/// The file is one of the project's <c>NnWeights</c> items (<c>&lt;NnWeights Include="fashion.safetensors" /&gt;</c> in
/// the project file); the path here is the item's path, relative to the project folder. The Nn package's build wiring
/// embeds the item as a manifest resource and hands its header to the analyzer, which checks every tensor's name, dtype
/// and shape against the declaration as you type (NN0028 when the file is not an item or not a safetensors file,
/// NN0029 when it does not fit, with the declaration that would).
/// </para>
/// <para>
/// Both layouts that <c>Load</c> reads are accepted: Nn's own files and a PyTorch <c>state_dict</c> of an equivalent
/// <c>nn.Sequential</c> (Linear weights <c>[out × in]</c>, transposed on load; F32, F64, F16 or BF16). A state_dict whose
/// module names are not positional numbers needs <see cref="Modules"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// [Weights("fashion.safetensors")]
/// [Input(28, 28)]
/// [Affine(100), ReLU]
/// [Affine(10), Softmax]
/// public partial class FashionNet;
/// </code>
/// </example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = false, Inherited = false)]
public sealed class WeightsAttribute : Attribute
{
    /// <summary>Embeds the weights file at <paramref name="path"/>.</summary>
    /// <param name="path">The <c>NnWeights</c> item's path, relative to the project folder, e.g. <c>"models/fashion.safetensors"</c>.</param>
    public WeightsAttribute(string path) => Path = path;

    /// <summary>The weights file, relative to the project folder.</summary>
    public string Path { get; }

    /// <summary>
    /// For a PyTorch state_dict whose modules are named rather than numbered (<c>fc1</c>, <c>fc2</c>): the module names in
    /// layer order, one per Affine and BatchNorm layer, as <c>WeightsOptions.Modules</c> gives them to <c>Load</c>.
    /// </summary>
    public string[]? Modules { get; set; }
}
