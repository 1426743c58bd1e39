using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn;

/// <summary>
/// SGD with momentum (CS231n): <c>v = μ·v − lr·g; p += v</c>. With <c>nesterov: true</c>, the lookahead form
/// <c>v_prev = v; v = μ·v − lr·g; p += −μ·v_prev + (1 + μ)·v</c>.
/// </summary>
public sealed class Momentum<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _velocity;
    private readonly T _mu;
    private readonly bool _nesterov;

    /// <summary>
    /// Creates momentum without a size: the velocity is allocated at the first <see cref="Step"/>, as long as the parameter
    /// buffer it is given (<c>new Momentum&lt;float&gt;(0.9f)</c> needs no <c>Net.ParameterCount</c>). Later steps must pass
    /// buffers of that same length.
    /// </summary>
    /// <param name="mu">Momentum, typically 0.9.</param>
    /// <param name="nesterov">Use Nesterov's accelerated gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mu"/> is outside [0, 1).</exception>
    public Momentum(T mu, bool nesterov = false)
    {
        CheckMu(mu);
        _mu = mu;
        _nesterov = nesterov;
    }

    /// <summary>Allocates the velocity for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter buffer, e.g. the network's <c>ParameterCount</c>.</param>
    /// <param name="mu">Momentum, typically 0.9.</param>
    /// <param name="nesterov">Use Nesterov's accelerated gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mu"/> is outside [0, 1).</exception>
    public Momentum(int parameterCount, T mu, bool nesterov = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        CheckMu(mu);
        _velocity = new T[parameterCount];
        _mu = mu;
        _nesterov = nesterov;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The spans are not the length this optimizer was made for (or, created without a size,
    /// first stepped with).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
    {
        _velocity ??= new T[parameters.Length];
        ThrowHelper.Exactly(parameters.Length, _velocity.Length, nameof(parameters), "the optimizer's parameterCount");
        ThrowHelper.Exactly(gradients.Length, _velocity.Length, nameof(gradients), "the optimizer's parameterCount");
        OptimizerKernels.Momentum(parameters, gradients, _velocity, _mu, learningRate, _nesterov);
    }

    private static void CheckMu(T mu)
    {
        if (!(mu >= T.Zero && mu < T.One))
        {
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "Momentum must be in [0, 1), typically 0.9.");
        }
    }
}
