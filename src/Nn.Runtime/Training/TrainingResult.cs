using System.Collections.Generic;

namespace Nn;

/// <summary>What <see cref="Training.Fit"/> did.</summary>
/// <param name="Epochs">Every epoch run, in order.</param>
/// <param name="BestEpoch">The epoch whose parameters the network holds at the end (the last one without a validation set).</param>
/// <param name="StoppedEarly">Whether the patience ran out before the planned epochs.</param>
public sealed record TrainingResult(IReadOnlyList<EpochResult> Epochs, int BestEpoch, bool StoppedEarly);
