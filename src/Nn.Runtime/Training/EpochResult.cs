namespace Nn;

/// <summary>One finished epoch.</summary>
public readonly record struct EpochResult(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy, double Seconds);
