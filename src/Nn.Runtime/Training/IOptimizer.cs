using System;
using System.Numerics;

namespace Nn;

/// <summary>An update rule over a network's flat parameter buffer. Implementations keep their state (velocities, moments) and allocate it once.</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/> at <paramref name="learningRate"/>.</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate);
}
