using System;
using System.Numerics;

namespace Nn;

/// <summary>
/// What <see cref="Training"/> needs from a generated classifier trainer (Softmax, Svm and Logistic heads
/// implement it): a loss-and-gradient pass on a minibatch, a forward-only loss pass for evaluation, batch
/// prediction, and the flat buffers.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IClassifierTrainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Values per input sample.</summary>
    int InputSize { get; }

    /// <summary>Scores per sample; 1 for a binary head (class 1 when the score is above 0).</summary>
    int OutputSize { get; }

    /// <summary>
    /// Whether the one score per sample is read as two classes (a Logistic head, or an Svm head on one output): class 1
    /// when the score is above 0. The generator decides it once, from the declaration; <see cref="Training"/> only reads it.
    /// </summary>
    bool IsBinary { get; }

    /// <summary>The largest batch <see cref="Loss"/> accepts.</summary>
    int MaxBatch { get; }

    /// <summary>The scores of the last <see cref="Loss"/> or <see cref="Evaluate"/> batch, <c>[N × OutputSize]</c>: what it predicted, without another forward pass.</summary>
    ReadOnlySpan<T> Scores { get; }

    /// <summary>The network's parameters, updated in place by an optimizer.</summary>
    T[] Parameters { get; }

    /// <summary>
    /// Values the network keeps besides its parameters and that training changes without gradients (BatchNorm's running
    /// statistics); empty for networks without them. Early stopping restores them with the parameters.
    /// </summary>
    T[] State { get; }

    /// <summary>The gradient of the last <see cref="Loss"/>, laid out like <see cref="Parameters"/>.</summary>
    T[] Gradients { get; }

    /// <summary>Data loss of the last <see cref="Loss"/> or <see cref="Evaluate"/> (without the L2 term).</summary>
    T DataLoss { get; }

    /// <summary>Forward and backward pass: returns data loss + L2 and fills <see cref="Gradients"/>.</summary>
    T Loss(ReadOnlySpan<T> x, ReadOnlySpan<int> y, T reg);

    /// <summary>
    /// Forward pass and data loss only, for validation and test sets: returns the mean data loss of the batch (the
    /// value <see cref="Loss"/> puts in <see cref="DataLoss"/>, bit for bit) and sets <see cref="DataLoss"/> and
    /// <see cref="Scores"/>. Runs no backward pass (0.3–0.6× of <see cref="Loss"/>'s time on the MNIST-sized networks,
    /// bench EvaluateBenchmarks) and leaves <see cref="Gradients"/> as they were. Allocation-free; checks its
    /// arguments exactly as <see cref="Loss"/> does.
    /// </summary>
    /// <param name="x">Inputs, <c>[N × InputSize]</c> row-major.</param>
    /// <param name="y">Class labels; N = y.Length, at most <see cref="MaxBatch"/>.</param>
    /// <exception cref="ArgumentException">N is 0 or above MaxBatch, x's length is not N·InputSize, or a label is out of range.</exception>
    T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<int> y);

    /// <summary>The predicted class of every sample of <paramref name="x"/>.</summary>
    void Predict(ReadOnlySpan<T> x, Span<int> labels);
}
