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

    /// <summary>
    /// Batch normalization at inference: <c>γ·(x − running_mean)/√(running_var + ε) + β</c> per column; the argument is ε.
    /// (Dropout does nothing at inference, so it has no step.)
    /// </summary>
    BatchNorm,
}
