using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Threading;

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

    /// <summary>The largest batch <see cref="Loss"/> accepts.</summary>
    int MaxBatch { get; }

    /// <summary>The scores of the last <see cref="Loss"/> or <see cref="Evaluate"/> batch, <c>[N × OutputSize]</c>: what it predicted, without another forward pass.</summary>
    ReadOnlySpan<T> Scores { get; }

    /// <summary>The network's parameters, updated in place by an optimizer.</summary>
    T[] Parameters { get; }

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

/// <summary>How <see cref="Training.Fit"/> runs.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set; 10 by default.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step; at most the trainer's MaxBatch. 64 by default.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The learning rate at step <c>s</c> of <c>total</c>: cosine decay from 1e-3 to 0 by default.</summary>
    public Func<int, int, double> LearningRate { get; init; } = (step, total) => Nn.LearningRate.Cosine(1e-3, step, total);

    /// <summary>L2 strength λ; 0 by default.</summary>
    public double Regularization { get; init; }

    /// <summary>Stop when the validation loss has not improved for this many epochs, and restore the best parameters; 0 = never.</summary>
    public int Patience { get; init; }

    /// <summary>Seed of the per-epoch shuffles.</summary>
    public ulong Seed { get; init; }

    /// <summary>Report progress every this many steps (and at the end of every epoch); 100 by default.</summary>
    public int ReportEvery { get; init; } = 100;
}

/// <summary>One progress report: a running view of the epoch, or its end with the validation figures.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="Loss">Mean data loss of the epoch's batches so far.</param>
/// <param name="Accuracy">Training accuracy of the epoch's batches so far (before each batch's update).</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="ValidationLoss">At the end of an epoch with a validation set: its data loss; else NaN.</param>
/// <param name="ValidationAccuracy">At the end of an epoch with a validation set: its accuracy; else NaN.</param>
public readonly record struct TrainingProgress(
    int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double Accuracy, double SamplesPerSecond,
    double ValidationLoss, double ValidationAccuracy)
{
    /// <summary>Whether this report closes its epoch.</summary>
    public bool IsEpochEnd => Step == StepsPerEpoch;
}

/// <summary>One finished epoch.</summary>
public readonly record struct EpochResult(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy, double Seconds);

/// <summary>What <see cref="Training.Fit"/> did.</summary>
/// <param name="Epochs">Every epoch run, in order.</param>
/// <param name="BestEpoch">The epoch whose parameters the network holds at the end (the last one without a validation set).</param>
/// <param name="StoppedEarly">Whether the patience ran out before the planned epochs.</param>
public sealed record TrainingResult(IReadOnlyList<EpochResult> Epochs, int BestEpoch, bool StoppedEarly);

/// <summary>Minibatch training: shuffled epochs, a learning-rate schedule, validation, early stopping, progress.</summary>
public static class Training
{
    /// <summary>
    /// Trains on shuffled minibatches of <paramref name="train"/>. The buffers are allocated once, before the first
    /// step; a step allocates nothing (beyond what a caller's <paramref name="progress"/> does).
    /// </summary>
    /// <exception cref="ArgumentException">The data's feature count differs from the network's input, or the batch size exceeds MaxBatch.</exception>
    public static TrainingResult Fit<T>(
        IClassifierTrainer<T> trainer,
        IOptimizer<T> optimizer,
        Dataset<T> train,
        Dataset<T>? validation,
        TrainingOptions options,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        CheckFeatures(trainer, train, nameof(train));
        if (validation is not null)
        {
            CheckFeatures(trainer, validation, nameof(validation));
        }

        if (options.BatchSize < 1 || options.BatchSize > trainer.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"BatchSize is {options.BatchSize}; it must be in [1, {trainer.MaxBatch}] (the trainer's MaxBatch).");
        }

        var features = train.Features;
        var batch = options.BatchSize;
        var xb = new T[batch * features];
        var yb = new int[batch];
        var predicted = new int[batch];
        var order = Dataset<T>.Shuffled(train.Count, options.Seed);
        var rng = new Rng(options.Seed ^ 0x9E3779B97F4A7C15UL);
        var steps = (train.Count + batch - 1) / batch;
        var total = steps * options.Epochs;
        var reg = T.CreateChecked(options.Regularization);
        var best = validation is not null && options.Patience > 0 ? new T[trainer.Parameters.Length] : null;
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = 0;
        var epochs = new List<EpochResult>(options.Epochs);
        var stoppedEarly = false;

        for (var epoch = 1; epoch <= options.Epochs && !stoppedEarly; epoch++)
        {
            Dataset<T>.Shuffle(order, ref rng);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (var step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = Math.Min(batch, train.Count - (step * batch));
                for (var i = 0; i < n; i++)
                {
                    var index = order[(step * batch) + i];
                    train.Sample(index).CopyTo(xb.AsSpan(i * features, features));
                    yb[i] = train.Y[index];
                }

                var x = xb.AsSpan(0, n * features);
                var y = yb.AsSpan(0, n);
                trainer.Loss(x, y, reg);
                lossSum += double.CreateChecked(trainer.DataLoss) * n;
                correct += Correct(trainer, y, predicted);   // from the scores Loss just computed

                seen += n;
                var rate = T.CreateChecked(options.LearningRate(((epoch - 1) * steps) + step, total));
                optimizer.Step(trainer.Parameters, trainer.Gradients, rate);

                var last = step == steps - 1;
                if (progress is not null && !last && (step + 1) % Math.Max(1, options.ReportEvery) == 0)
                {
                    progress.Report(new TrainingProgress(epoch, options.Epochs, step + 1, steps, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds, double.NaN, double.NaN));
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var (validationLoss, validationAccuracy) = validation is null ? (double.NaN, double.NaN) : Evaluate(trainer, validation, batch);
            var result = new EpochResult(epoch, lossSum / seen, (double)correct / seen, validationLoss, validationAccuracy, seconds);
            epochs.Add(result);
            progress?.Report(new TrainingProgress(epoch, options.Epochs, steps, steps, result.Loss, result.Accuracy, seen / seconds, validationLoss, validationAccuracy));

            if (best is null)
            {
                bestEpoch = epoch;
            }
            else if (validationLoss < bestLoss)
            {
                bestLoss = validationLoss;
                bestEpoch = epoch;
                trainer.Parameters.CopyTo(best, 0);
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                stoppedEarly = epoch < options.Epochs;
                break;
            }
        }

        if (best is not null && bestEpoch > 0)
        {
            best.CopyTo(trainer.Parameters, 0);
        }

        return new TrainingResult(epochs, bestEpoch, stoppedEarly);
    }

    /// <summary>
    /// Mean data loss and accuracy over <paramref name="data"/>, in batches of up to MaxBatch (or <paramref name="batch"/>),
    /// through the trainer's forward-only <see cref="IClassifierTrainer{T}.Evaluate"/>: its gradients are left as they were.
    /// </summary>
    public static (double Loss, double Accuracy) Evaluate<T>(IClassifierTrainer<T> trainer, Dataset<T> data, int batch = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(trainer, data, nameof(data));
        batch = batch <= 0 ? trainer.MaxBatch : Math.Min(batch, trainer.MaxBatch);
        var predicted = new int[batch];
        double loss = 0;
        long correct = 0;
        for (var start = 0; start < data.Count; start += batch)
        {
            var n = Math.Min(batch, data.Count - start);
            var x = new ReadOnlySpan<T>(data.X, start * data.Features, n * data.Features);
            var y = new ReadOnlySpan<int>(data.Y, start, n);
            loss += double.CreateChecked(trainer.Evaluate(x, y)) * n;
            correct += Correct(trainer, y, predicted);
        }

        return (loss / data.Count, (double)correct / data.Count);
    }

    // How many of the last batch's predictions, read from its scores, equal the labels.
    private static int Correct<T>(IClassifierTrainer<T> trainer, ReadOnlySpan<int> y, int[] predicted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scores = trainer.Scores;
        var labels = predicted.AsSpan(0, y.Length);
        if (trainer.OutputSize == 1)
        {
            for (var i = 0; i < y.Length; i++)
            {
                labels[i] = scores[i] > T.Zero ? 1 : 0;
            }
        }
        else
        {
            Reductions.ArgMaxRows(scores, labels, rows: y.Length, cols: trainer.OutputSize);
        }

        var correct = 0;
        for (var i = 0; i < y.Length; i++)
        {
            correct += labels[i] == y[i] ? 1 : 0;
        }

        return correct;
    }

    private static void CheckFeatures<T>(IClassifierTrainer<T> trainer, Dataset<T> data, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.Features != trainer.InputSize)
        {
            throw new ArgumentException($"{name} has {data.Features} features per sample; the network takes {trainer.InputSize} (InputSize).", name);
        }
    }
}
