using System;
using System.Numerics;

namespace Nn;

/// <summary>
/// SGD with momentum (CS231n): <c>v = μ·v − lr·g; p += v</c>. With <c>nesterov: true</c>, the lookahead form
/// <c>v_prev = v; v = μ·v − lr·g; p += −μ·v_prev + (1 + μ)·v</c>.
/// </summary>
public sealed class Momentum<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _velocity;
    private readonly T _mu;
    private readonly bool _nesterov;

    /// <summary>Allocates the velocity for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter buffer, e.g. the network's <c>ParameterCount</c>.</param>
    /// <param name="mu">Momentum, typically 0.9.</param>
    /// <param name="nesterov">Use Nesterov's accelerated gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mu"/> is outside [0, 1).</exception>
    public Momentum(int parameterCount, T mu, bool nesterov = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(mu >= T.Zero && mu < T.One))
        {
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "Momentum must be in [0, 1), typically 0.9.");
        }

        _velocity = new T[parameterCount];
        _mu = mu;
        _nesterov = nesterov;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The spans are not the length this optimizer was made for.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
    {
        ThrowHelper.Exactly(parameters.Length, _velocity.Length, nameof(parameters), "the optimizer's parameterCount");
        ThrowHelper.Exactly(gradients.Length, _velocity.Length, nameof(gradients), "the optimizer's parameterCount");
        OptimizerKernels.Momentum(parameters, gradients, _velocity, _mu, learningRate, _nesterov);
    }
}
