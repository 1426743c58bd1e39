namespace Nn;

/// <summary>The operations of a generated network's forward pass, as <see cref="LayerInfo"/> names them.</summary>
public enum LayerOp
{
    /// <summary><c>out = x·W + b</c>.</summary>
    Affine,

    /// <summary><c>max(0, x)</c>.</summary>
    ReLU,

    /// <summary><c>x &gt; 0 ? x : alpha·x</c>; the argument is alpha.</summary>
    LeakyReLU,

    /// <summary><c>1 / (1 + exp(−x))</c>.</summary>
    Sigmoid,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,

    /// <summary>The max of each group of consecutive inputs; the argument is the group size.</summary>
    Maxout,
}

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
