using System;

namespace Nn;

/// <summary>Element type of a network's parameters, activations and kernels.</summary>
public enum Precision
{
    /// <summary>32-bit <see cref="float"/>: the default, twice the SIMD width of double.</summary>
    Single = 0,

    /// <summary>64-bit <see cref="double"/>: for gradient checks and numerically delicate work.</summary>
    Double = 1,
}

/// <summary>
/// Declares the class as an Nn network and gives the shape of one input sample.
/// Several dimensions are flattened row-major, like <c>x.reshape(N, -1)</c>: <c>[Input(32, 32, 3)]</c> is 3072 inputs.
/// </summary>
/// <remarks>
/// The class must be <c>partial</c>; the source generator writes its forward pass, its trainer
/// and its constants into the other part. The layer attributes that follow, in source order,
/// are the network's layers.
/// </remarks>
/// <example>
/// <code>
/// [Input(2)]
/// [Affine(100), ReLU]
/// [Affine(3), Softmax]
/// public partial class SpiralNet;
/// </code>
/// </example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the shape of one sample.</summary>
    /// <param name="shape">One or more positive dimensions; their product is the input size.</param>
    public InputAttribute(params int[] shape) => Shape = shape ?? Array.Empty<int>();

    /// <summary>The dimensions as written.</summary>
    public int[] Shape { get; }

    /// <summary>Element type of the whole network. Default <see cref="Precision.Single"/> (float).</summary>
    public Precision Precision { get; set; } = Precision.Single;
}
