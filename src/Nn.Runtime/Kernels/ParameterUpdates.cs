using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>Parameter updates over the flat parameter buffer.</summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ParameterUpdates
{
    /// <summary>Vanilla SGD: effectively computes <c>parameters[i] −= learningRate · gradients[i]</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Exactly(gradients.Length, parameters.Length, nameof(gradients), "parameters.Length");
        Elementwise.MultiplyAdd<T>(gradients, -learningRate, parameters, parameters);
    }
}
