using System;

namespace Nn;

/// <summary>
/// Base of every layer attribute. The generator reads layers in the order they are written,
/// so adding a layer kind means one attribute class here and one emit method in the generator.
/// </summary>
public abstract class LayerAttribute : Attribute
{
}

/// <summary>
/// Fully connected layer: <c>out = x·W + b</c>, with <c>W</c> of shape <c>[in × size]</c> and <c>b</c> of shape <c>[size]</c>.
/// Its output has no activation unless an activation attribute follows it.
/// </summary>
/// <example><c>[Affine(100), ReLU]</c> is a hidden layer of 100 ReLU units; <c>[Affine(100, Init = Init.Fixed, Scale = 0.01)]</c>
/// draws its weights from <c>0.01·N(0, 1)</c>.</example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class AffineAttribute : LayerAttribute
{
    /// <summary>Declares a fully connected layer with <paramref name="size"/> outputs.</summary>
    /// <param name="size">Number of output units; must be at least 1.</param>
    public AffineAttribute(int size) => Size = size;

    /// <summary>Number of output units.</summary>
    public int Size { get; }

    /// <summary>How the weights are drawn. Default <see cref="Nn.Init.Auto"/>: He before ReLU, LeakyReLU and Maxout, Xavier otherwise.</summary>
    public Init Init { get; set; } = Init.Auto;

    /// <summary>The standard deviation for <see cref="Nn.Init.Fixed"/>, e.g. CS231n's 0.01.</summary>
    public double Scale { get; set; }
}

/// <summary>How an <see cref="AffineAttribute"/> layer's weights are drawn (biases start at 0).</summary>
public enum Init
{
    /// <summary>He for layers followed by ReLU, LeakyReLU or Maxout; Xavier otherwise.</summary>
    Auto = 0,

    /// <summary><c>N(0, 1)·√(2/fan_in)</c>: keeps the variance of ReLU activations constant.</summary>
    He = 1,

    /// <summary><c>N(0, 1)·√(1/fan_in)</c>: the calibrated scale for sigmoid, tanh and linear layers.</summary>
    Xavier = 2,

    /// <summary><c>N(0, 1)·Scale</c> with the <see cref="AffineAttribute.Scale"/> you give.</summary>
    Fixed = 3,
}

/// <summary>Base of the elementwise activations that follow an <see cref="AffineAttribute"/>.</summary>
public abstract class ActivationAttribute : LayerAttribute
{
}

/// <summary>
/// Rectified linear unit applied to the preceding <see cref="AffineAttribute"/>: <c>h = max(0, x)</c>.
/// Backward: the gradient passes where <c>h &gt; 0</c> and is zero elsewhere.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : ActivationAttribute
{
}

/// <summary>
/// Logistic sigmoid applied to the preceding <see cref="AffineAttribute"/>: <c>h = 1 / (1 + exp(−x))</c>.
/// Backward: <c>dx = dh·h·(1 − h)</c>. The notes advise against it in hidden layers (it saturates and is not zero-centred).
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : ActivationAttribute
{
}

/// <summary>
/// Hyperbolic tangent applied to the preceding <see cref="AffineAttribute"/>: <c>h = tanh(x)</c>, zero-centred.
/// Backward: <c>dx = dh·(1 − h²)</c>.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : ActivationAttribute
{
}

/// <summary>
/// Leaky ReLU: <c>h = x</c> where <c>x &gt; 0</c>, else <c>alpha·x</c>, so units never die completely.
/// Backward: <c>dx = dh</c> where <c>h &gt; 0</c>, else <c>alpha·dh</c>.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : ActivationAttribute
{
    /// <summary>Declares a leaky ReLU with slope <paramref name="alpha"/> for negative inputs.</summary>
    /// <param name="alpha">Slope below zero, in (0, 1); 0.01 is usual.</param>
    public LeakyReLUAttribute(double alpha) => Alpha = alpha;

    /// <summary>Slope below zero.</summary>
    public double Alpha { get; }
}

/// <summary>
/// Maxout (Goodfellow et al.): the preceding <c>Affine(k·n)</c>'s outputs, taken in consecutive groups of
/// <c>k</c>, become <c>n</c> units <c>max(w₁ᵀx + b₁, …, w_kᵀx + b_k)</c>. Backward: the gradient goes to the piece that won.
/// </summary>
/// <example><c>[Affine(200), Maxout(2)]</c> is 100 maxout units of two pieces.</example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class MaxoutAttribute : ActivationAttribute
{
    /// <summary>Declares maxout over groups of <paramref name="pieces"/> outputs.</summary>
    /// <param name="pieces">Pieces per unit, at least 2; the previous Affine size must be a multiple of it.</param>
    public MaxoutAttribute(int pieces) => Pieces = pieces;

    /// <summary>Pieces per unit.</summary>
    public int Pieces { get; }
}

/// <summary>
/// Base of the heads: the last layer attribute, which turns the scores of the final
/// <see cref="AffineAttribute"/> into a loss for training. A network without a head can only run <c>Forward</c>.
/// </summary>
public abstract class HeadAttribute : LayerAttribute
{
}

/// <summary>
/// Softmax classifier head: probabilities <c>p = exp(s − max s) / Σ exp(s − max s)</c> over the final scores,
/// training loss = mean cross-entropy <c>−(1/N) Σ log p[y]</c>, gradient <c>(p − 1[y]) / N</c>.
/// Needs at least two outputs.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : HeadAttribute
{
}

/// <summary>
/// Multiclass SVM head (Weston–Watkins hinge): loss <c>(1/N) Σ_i Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1)</c>.
/// With one output it is the binary SVM: labels 0 and 1 are read as −1 and +1, loss <c>(1/N) Σ max(0, 1 − t·s)</c>.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class SvmAttribute : HeadAttribute
{
}

/// <summary>
/// Binary logistic-regression head (the notes' "binary softmax classifier") on one output neuron:
/// <c>p = σ(s)</c> is the probability of class 1, loss <c>(1/N) Σ −y·log p − (1 − y)·log(1 − p)</c>,
/// computed as <c>softplus(s) − y·s</c> so large scores do not overflow; gradient <c>(p − y) / N</c>.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class LogisticAttribute : HeadAttribute
{
}

/// <summary>
/// Regression head: loss <c>(1/2N) Σ_i ‖s_i − t_i‖²</c> against real-valued targets <c>t</c> of the output's size;
/// gradient <c>(s − t) / N</c>.
/// </summary>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class MeanSquaredErrorAttribute : HeadAttribute
{
}

/// <summary>
/// Batch normalization (Ioffe and Szegedy) of the preceding <see cref="AffineAttribute"/>'s outputs, written after the
/// Affine and before its activation. In training each unit is normalized by its batch's statistics,
/// <c>xhat = (x − μ_B)/√(σ²_B + ε)</c> with the batch mean <c>μ_B</c> and biased variance <c>σ²_B</c>, then scaled and
/// shifted, <c>y = γ·xhat + β</c>; the running statistics follow
/// <c>running_mean = Momentum·running_mean + (1 − Momentum)·μ_B</c> (likewise <c>running_var</c> with <c>σ²_B</c>).
/// At inference the running statistics replace the batch's: <c>y = γ·(x − running_mean)/√(running_var + ε) + β</c>.
/// Learned tensors <c>gammak</c> (starting at 1) and <c>betak</c> (starting at 0), of the Affine's size, for layer k.
/// Backward (the compact form): <c>dβ = Σ dy</c>, <c>dγ = Σ dy·xhat</c>, <c>dx = (γ/(N·√(σ²_B + ε)))·(N·dy − dβ − xhat·dγ)</c>.
/// </summary>
/// <example><c>[Affine(100), BatchNorm, ReLU]</c> normalizes 100 units before their ReLU;
/// <c>[Affine(100), BatchNorm(Momentum = 0.99), ReLU]</c> averages the running statistics over more batches.</example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Weight of the old running statistics in each update, between 0 and 1. Default 0.9 (CS231n's).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Added to the variance before the square root so that it never divides by 0. Default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>
/// Inverted dropout on the preceding activation's outputs, written after the activation: in training each unit is
/// dropped (set to 0) with probability <c>p</c> and the kept ones are scaled by <c>1/(1 − p)</c>, so the expected
/// activation is unchanged; at inference the layer does nothing. <c>p</c> is the probability of dropping a unit
/// (PyTorch's convention; CS231n's notes use the probability of keeping one). Backward: <c>dx = dy·mask</c>, the mask
/// being the forward pass's 0 or <c>1/(1 − p)</c>. No learned tensors.
/// </summary>
/// <example><c>[Affine(100), ReLU, Dropout(0.5)]</c> drops half of the 100 ReLU units at each training step.</example>
[AttributeUsage(NetworkTargets.Types, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout that drops each unit with probability <paramref name="p"/> during training.</summary>
    /// <param name="p">Probability of dropping a unit, in [0, 1); 0.5 is usual for hidden layers.</param>
    public DropoutAttribute(double p) => P = p;

    /// <summary>Probability of dropping a unit during training.</summary>
    public double P { get; }
}
