using System;

namespace Nn;

/// <summary>How <see cref="Training.Fit"/> runs.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set; 10 by default.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step; at most the trainer's MaxBatch. 64 by default.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The learning rate at step <c>s</c> of <c>total</c>: cosine decay from 1e-3 to 0 by default.</summary>
    public Func<int, int, double> LearningRate { get; init; } = (step, total) => LearningRateSchedules.Cosine(1e-3, step, total);

    /// <summary>L2 strength λ; 0 by default.</summary>
    public double Regularization { get; init; }

    /// <summary>Stop when the validation loss has not improved for this many epochs, and restore the best parameters; 0 = never.</summary>
    public int Patience { get; init; }

    /// <summary>Seed of the per-epoch shuffles.</summary>
    public ulong Seed { get; init; }

    /// <summary>Report progress every this many steps (and at the end of every epoch); 100 by default.</summary>
    public int ReportEvery { get; init; } = 100;
}
