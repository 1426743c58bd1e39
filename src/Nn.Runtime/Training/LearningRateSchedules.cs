using System;

namespace Nn;

/// <summary>Learning-rate schedules: the rate for a step, computed without state.</summary>
public static class LearningRateSchedules
{
    /// <summary>Step decay: <c>initial · factor^⌊step / every⌋</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive.</exception>
    public static double StepDecay(double initial, int step, int every, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        return initial * Math.Pow(factor, step / every);
    }

    /// <summary>Cosine decay: <c>floor + (initial − floor)·(1 + cos(π·step/total))/2</c>, flat at floor after <paramref name="total"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="total"/> is not positive.</exception>
    public static double Cosine(double initial, int step, int total, double floor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        var progress = Math.Clamp((double)step / total, 0, 1);
        return floor + ((initial - floor) * (1 + Math.Cos(Math.PI * progress)) / 2);
    }
}
