using System;
using System.Numerics;

namespace Nn;

/// <summary>
/// A generated network of element type <typeparamref name="T"/>: <see cref="INetwork"/> plus the values and the forward
/// pass. Every generated network implements it for its own element type (<c>INetwork&lt;float&gt;</c>, or
/// <c>INetwork&lt;double&gt;</c> for a network declared with <c>Precision.Double</c>), so extension methods on it such as
/// Nn.Onnx's <c>net.LoadOnnx(path)</c> infer <typeparamref name="T"/> from the class.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public interface INetwork<T> : INetwork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every parameter in one buffer, back to back, laid out as <see cref="INetwork.Tensors"/> says.</summary>
    T[] Parameters { get; }

    /// <summary>
    /// Values kept besides the parameters (BatchNorm's running statistics), laid out as <see cref="INetwork.StateTensors"/>
    /// says; empty for a network without them.
    /// </summary>
    T[] State { get; }

    /// <summary>Runs one sample: <paramref name="x"/> [InputSize] → <paramref name="scores"/> [OutputSize]. Allocation-free and thread-safe.</summary>
    /// <exception cref="ArgumentException">A span's length is not InputSize or OutputSize.</exception>
    void Forward(ReadOnlySpan<T> x, Span<T> scores);

    /// <summary>Runs a batch: <paramref name="x"/> [batch×InputSize] → <paramref name="scores"/> [batch×OutputSize], row-major.</summary>
    /// <exception cref="ArgumentException">A span's length is not batch·InputSize or batch·OutputSize.</exception>
    void Forward(ReadOnlySpan<T> x, Span<T> scores, int batch);
}
