using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn;

/// <summary>
/// Adam (Kingma and Ba; CS231n): <c>m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr·m̂ / (√v̂ + ε)</c>, with the bias
/// corrections <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c>.
/// </summary>
public sealed class Adam<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _m;
    private T[]? _v;
    private readonly T _beta1;
    private readonly T _beta2;
    private readonly T _epsilon;
    private int _t;

    /// <summary>
    /// Creates Adam without a size: both moments are allocated at the first <see cref="Step"/>, as long as the parameter
    /// buffer it is given (the trainer knows it: <c>new Adam&lt;float&gt;()</c> needs no <c>Net.ParameterCount</c>).
    /// Later steps must pass buffers of that same length.
    /// </summary>
    /// <param name="beta1">First-moment decay, 0.9 by default.</param>
    /// <param name="beta2">Second-moment decay, 0.999 by default.</param>
    /// <param name="epsilon">Added to √v̂, 1e-8 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta1"/> or <paramref name="beta2"/> is outside [0, 1), or
    /// <paramref name="epsilon"/> is not finite and above 0.</exception>
    public Adam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        CheckHyperparameters(beta1, beta2, epsilon);
        _beta1 = T.CreateChecked(beta1);
        _beta2 = T.CreateChecked(beta2);
        _epsilon = T.CreateChecked(epsilon);
    }

    /// <summary>Allocates both moments for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter buffer.</param>
    /// <param name="beta1">First-moment decay, 0.9 by default.</param>
    /// <param name="beta2">Second-moment decay, 0.999 by default.</param>
    /// <param name="epsilon">Added to √v̂, 1e-8 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta1"/> or <paramref name="beta2"/> is outside [0, 1), or
    /// <paramref name="epsilon"/> is not finite and above 0.</exception>
    public Adam(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        CheckHyperparameters(beta1, beta2, epsilon);
        _m = new T[parameterCount];
        _v = new T[parameterCount];
        _beta1 = T.CreateChecked(beta1);
        _beta2 = T.CreateChecked(beta2);
        _epsilon = T.CreateChecked(epsilon);
    }

    /// <summary>Number of steps taken (t in the bias correction).</summary>
    public int Steps => _t;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The spans are not the length this optimizer was made for (or, created without a size,
    /// first stepped with).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
    {
        if (_m is null || _v is null)
        {
            _m = new T[parameters.Length];
            _v = new T[parameters.Length];
        }

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

    private static void CheckHyperparameters(double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"beta1 is {beta1}; it must be in [0, 1), typically 0.9.");
        }

        if (!(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"beta2 is {beta2}; it must be in [0, 1), typically 0.999.");
        }

        if (!(epsilon > 0 && double.IsFinite(epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon is {epsilon}; it must be finite and above 0, typically 1e-8.");
        }
    }
}
