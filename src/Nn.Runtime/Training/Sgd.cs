using System;
using System.Numerics;
using Nn.Kernels;

namespace Nn;

/// <summary>Vanilla SGD as an <see cref="IOptimizer{T}"/>: <c>p −= lr·g</c>. No state.</summary>
public sealed class Sgd<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate) => ParameterUpdates.Sgd(parameters, gradients, learningRate);
}
