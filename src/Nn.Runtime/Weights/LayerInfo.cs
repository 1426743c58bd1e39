namespace Nn;

/// <summary>
/// One step of a generated network's forward pass, in order: what exporters (ONNX) and tools read instead of
/// parsing the declaration. Affine steps name their tensors in the network's <c>Tensors</c>.
/// </summary>
/// <param name="Op">The operation.</param>
/// <param name="Inputs">Values per sample going in.</param>
/// <param name="Outputs">Values per sample coming out.</param>
/// <param name="Weights">
/// For <see cref="LayerOp.Affine"/>: the weight tensor's name (<c>W1</c>, …); for <see cref="LayerOp.BatchNorm"/>: the scale γ
/// (<c>gamma1</c>, …); else null.
/// </param>
/// <param name="Bias">For <see cref="LayerOp.Affine"/>: the bias tensor's name (<c>b1</c>, …); for BatchNorm: the shift β; else null.</param>
/// <param name="Argument">LeakyReLU's alpha, Maxout's pieces or BatchNorm's epsilon; else 0.</param>
/// <param name="Mean">For <see cref="LayerOp.BatchNorm"/>: the running mean's name in the network's <c>StateTensors</c>; else null.</param>
/// <param name="Variance">For <see cref="LayerOp.BatchNorm"/>: the running variance's name in <c>StateTensors</c>; else null.</param>
public sealed record LayerInfo(
    LayerOp Op, int Inputs, int Outputs, string? Weights = null, string? Bias = null, double Argument = 0, string? Mean = null, string? Variance = null);
