using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Threading;
using Nn.Kernels;

namespace Nn;

/// <summary>Minibatch training: shuffled epochs, a learning-rate schedule, validation, early stopping, progress.</summary>
public static class Training
{
    /// <summary>
    /// Trains on shuffled minibatches of <paramref name="train"/>. The buffers are allocated once, before the first
    /// step; a step allocates nothing (beyond what a caller's <paramref name="progress"/> does).
    /// </summary>
    /// <remarks>
    /// Before the first step, Fit checks everything, so a refused call leaves the network unchanged: both datasets
    /// (non-empty, the network's feature count, every feature finite, every label in [0, classes)) and the options
    /// (Epochs ≥ 1, BatchSize in [1, MaxBatch], Patience ≥ 0, Regularization finite and ≥ 0). During training, a learning
    /// rate or a loss that is not finite stops it: the parameters and State are restored to the start of that epoch and
    /// a <see cref="TrainingDivergedException"/> names the epoch and step.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// A dataset is empty, has the wrong feature count, a feature that is not finite or a label out of range (the message
    /// names the dataset, the sample's index in it and the value).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    /// <exception cref="TrainingDivergedException">The schedule's learning rate or a step's loss was not finite.</exception>
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
        CheckData(trainer, train, nameof(train));
        if (validation is not null)
        {
            CheckData(trainer, validation, nameof(validation));
        }

        CheckOptions(trainer, options);

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
        // the best epoch's parameters and, for BatchNorm, its running statistics: restoring one without the other would pair
        // the best weights with statistics gathered by later epochs
        var best = validation is not null && options.Patience > 0 ? new T[trainer.Parameters.Length] : null;
        var bestState = best is not null ? new T[trainer.State.Length] : null;
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = 0;
        var epochs = new List<EpochResult>(options.Epochs);
        // the start of the current epoch, restored if a step diverges; allocated once, so steps stay allocation-free
        var good = new T[trainer.Parameters.Length];
        var goodState = new T[trainer.State.Length];
        var stoppedEarly = false;

        for (var epoch = 1; epoch <= options.Epochs && !stoppedEarly; epoch++)
        {
            Dataset<T>.Shuffle(order, ref rng);
            trainer.Parameters.CopyTo(good, 0);
            trainer.State.CopyTo(goodState, 0);
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
                var globalStep = ((epoch - 1) * steps) + step;
                var scheduled = options.LearningRate(globalStep, total);
                var rate = T.CreateChecked(scheduled);
                if (!T.IsFinite(rate))
                {
                    throw Diverged(trainer, good, goodState, epoch, step,
                        $"The learning-rate schedule returned {scheduled} at step {globalStep} of {total} (epoch {epoch}, step {step});");
                }

                var loss = trainer.Loss(x, y, reg);
                if (!T.IsFinite(loss))
                {
                    throw Diverged(trainer, good, goodState, epoch, step, $"The loss became {loss} at epoch {epoch}, step {step};");
                }

                lossSum += double.CreateChecked(trainer.DataLoss) * n;
                correct += Correct(trainer, y, predicted);   // from the scores Loss just computed

                seen += n;
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
                trainer.State.CopyTo(bestState!, 0);
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
            bestState!.CopyTo(trainer.State, 0);
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
        if (trainer.IsBinary)
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

    // Puts back the parameters and state of the epoch's start, then describes the failure.
    private static TrainingDivergedException Diverged<T>(IClassifierTrainer<T> trainer, T[] good, T[] goodState, int epoch, int step, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        good.CopyTo(trainer.Parameters, 0);
        goodState.CopyTo(trainer.State, 0);
        return new TrainingDivergedException($"{what} training stopped and the parameters are restored to the start of epoch {epoch}.", epoch, step);
    }

    private static void CheckOptions<T>(IClassifierTrainer<T> trainer, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.Epochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"Epochs is {options.Epochs}; it must be at least 1.");
        }

        if (options.BatchSize < 1 || options.BatchSize > trainer.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize,
                $"BatchSize is {options.BatchSize}; it must be in [1, {trainer.MaxBatch}] (the trainer's MaxBatch).");
        }

        if (options.Patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Patience,
                $"Patience is {options.Patience}; it must be at least 0 (0 = never stop early).");
        }

        if (!double.IsFinite(options.Regularization) || options.Regularization < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Regularization,
                string.Create(CultureInfo.InvariantCulture, $"Regularization is {options.Regularization}; it must be finite and at least 0."));
        }

        ArgumentNullException.ThrowIfNull(options.LearningRate, "options.LearningRate");
    }

    // The whole dataset, before the first step: a bad sample found mid-epoch would leave the network half-trained.
    private static void CheckData<T>(IClassifierTrainer<T> trainer, Dataset<T> data, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckFeatures(trainer, data, name);
        if (data.Count == 0)
        {
            throw new ArgumentException($"{name} has no samples.", name);
        }

        var classes = trainer.IsBinary ? 2 : trainer.OutputSize;
        var labels = data.Y;
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException(
                    $"{name} sample {i} has label {labels[i]}; the network has {classes} classes, so labels must be in [0, {classes}).", name);
            }
        }

        var x = data.X;
        for (var i = 0; i < x.Length; i++)
        {
            if (!T.IsFinite(x[i]))
            {
                var message = string.Create(CultureInfo.InvariantCulture,
                    $"{name} sample {i / data.Features}, feature {i % data.Features} is {x[i]}; every feature must be finite.");
                throw new ArgumentException(message, name);
            }
        }
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
