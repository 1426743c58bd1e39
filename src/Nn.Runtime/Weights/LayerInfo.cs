namespace Nn;

/// <summary>
/// One step of a generated network's forward pass, in order: what exporters (ONNX) and tools read instead of
/// parsing the declaration. Affine steps name their tensors in the network's <c>Tensors</c>.
/// </summary>
/// <param name="Op">The operation.</param>
/// <param name="Inputs">Values per sample going in.</param>
/// <param name="Outputs">Values per sample coming out.</param>
/// <param name="Weights">For <see cref="LayerOp.Affine"/>: the weight tensor's name (<c>W1</c>, …); else null.</param>
/// <param name="Bias">For <see cref="LayerOp.Affine"/>: the bias tensor's name (<c>b1</c>, …); else null.</param>
/// <param name="Argument">LeakyReLU's alpha or Maxout's pieces; else 0.</param>
public sealed record LayerInfo(LayerOp Op, int Inputs, int Outputs, string? Weights = null, string? Bias = null, double Argument = 0);
