using System;

namespace Nn;

/// <summary>
/// Thrown by <see cref="Training.Fit"/> when the learning-rate schedule returns a value that is not finite, or a step's
/// loss is not finite. Before it is thrown, the parameters and <see cref="IClassifierTrainer{T}.State"/> are restored to
/// their values at the start of <see cref="Epoch"/>, the last known good ones.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception without epoch or step (both 0).</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>Creates the exception with a message, without epoch or step (both 0).</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception, without epoch or step (both 0).</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for step <paramref name="step"/> of epoch <paramref name="epoch"/>.</summary>
    public TrainingDivergedException(string message, int epoch, int step)
        : base(message)
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>The epoch (from 1) in which training diverged; the network holds the parameters from its start.</summary>
    public int Epoch { get; }

    /// <summary>The step within <see cref="Epoch"/> (from 0) whose learning rate or loss was not finite.</summary>
    public int Step { get; }
}
