using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nn;

/// <summary>An update rule over a network's flat parameter buffer. Implementations keep their state (velocities, moments) and allocate it once.</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/> at <paramref name="learningRate"/>.</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate);
}

/// <summary>Parameter updates over the flat parameter buffer.</summary>
public static class Optimizers
{
    /// <summary>Vanilla SGD: effectively computes <c>parameters[i] −= learningRate · gradients[i]</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Sgd<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Exactly(gradients.Length, parameters.Length, nameof(gradients), "parameters.Length");
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
    }
}

/// <summary>Vanilla SGD as an <see cref="IOptimizer{T}"/>: <c>p −= lr·g</c>. No state.</summary>
public sealed class Sgd<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate) => Optimizers.Sgd(parameters, gradients, learningRate);
}

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

/// <summary>
/// Adam (Kingma and Ba; CS231n): <c>m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr·m̂ / (√v̂ + ε)</c>, with the bias
/// corrections <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c>.
/// </summary>
public sealed class Adam<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _m;
    private readonly T[] _v;
    private readonly T _beta1;
    private readonly T _beta2;
    private readonly T _epsilon;
    private int _t;

    /// <summary>Allocates both moments for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter buffer.</param>
    /// <param name="beta1">First-moment decay, 0.9 by default.</param>
    /// <param name="beta2">Second-moment decay, 0.999 by default.</param>
    /// <param name="epsilon">Added to √v̂, 1e-8 by default.</param>
    public Adam(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        _m = new T[parameterCount];
        _v = new T[parameterCount];
        _beta1 = T.CreateChecked(beta1);
        _beta2 = T.CreateChecked(beta2);
        _epsilon = T.CreateChecked(epsilon);
    }

    /// <summary>Number of steps taken (t in the bias correction).</summary>
    public int Steps => _t;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The spans are not the length this optimizer was made for.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
    {
        ThrowHelper.Exactly(parameters.Length, _m.Length, nameof(parameters), "the optimizer's parameterCount");
        ThrowHelper.Exactly(gradients.Length, _m.Length, nameof(gradients), "the optimizer's parameterCount");
        _t++;

        // p −= lr_t · m / (√v + ε̂), with the bias corrections folded into lr_t and ε̂
        var correction1 = T.One - T.Pow(_beta1, T.CreateChecked(_t));
        var correction2 = T.One - T.Pow(_beta2, T.CreateChecked(_t));
        var stepSize = learningRate * T.Sqrt(correction2) / correction1;
        var epsilonHat = _epsilon * T.Sqrt(correction2);
        OptimizerKernels.Adam(parameters, gradients, _m, _v, _beta1, _beta2, stepSize, epsilonHat);
    }
}

/// <summary>Learning-rate schedules: the rate for a step, computed without state.</summary>
public static class LearningRate
{
    /// <summary>Step decay: <c>initial · factor^⌊step / every⌋</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive.</exception>
    public static double StepDecay(double initial, int step, int every, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        return initial * Math.Pow(factor, step / every);
    }

    /// <summary>Cosine decay: <c>floor + (initial − floor)·(1 + cos(π·step/total))/2</c>, flat at floor after <paramref name="total"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="total"/> is not positive.</exception>
    public static double Cosine(double initial, int step, int total, double floor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        var progress = Math.Clamp((double)step / total, 0, 1);
        return floor + ((initial - floor) * (1 + Math.Cos(Math.PI * progress)) / 2);
    }
}
