namespace Nn;

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
