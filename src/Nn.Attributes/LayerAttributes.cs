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
/// <example><c>[Affine(100), ReLU]</c> is a hidden layer of 100 ReLU units.</example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AffineAttribute : LayerAttribute
{
    /// <summary>Declares a fully connected layer with <paramref name="size"/> outputs.</summary>
    /// <param name="size">Number of output units; must be at least 1.</param>
    public AffineAttribute(int size) => Size = size;

    /// <summary>Number of output units.</summary>
    public int Size { get; }
}

/// <summary>Base of the elementwise activations that follow an <see cref="AffineAttribute"/>.</summary>
public abstract class ActivationAttribute : LayerAttribute
{
}

/// <summary>
/// Rectified linear unit applied to the preceding <see cref="AffineAttribute"/>: <c>h = max(0, x)</c>.
/// Backward: the gradient passes where <c>h &gt; 0</c> and is zero elsewhere.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : ActivationAttribute
{
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
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : HeadAttribute
{
}
