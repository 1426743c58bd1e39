using System;
using Nn.Kernels;

namespace Nn;

/// <summary>How many threads Nn's batch computations may use: the one setting of the kernels a user has reason to change.</summary>
public static class Parallelism
{
    /// <summary>
    /// The most threads one matrix product of a batch pass (<c>Forward</c> with a batch, the trainer's <c>Loss</c>) may use:
    /// 1 or 2 (larger values act as 2). Default: the processor count, capped at 2.
    /// </summary>
    /// <remarks>
    /// With 2, products of about 2 MFLOP and more are split between the calling thread and one persistent background
    /// worker; smaller ones, and every one-sample call, stay on the caller. Results are identical bit for bit whatever the
    /// setting. Set 1 to keep the second core free, for example when the application runs one network per core itself.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => Gemm.MaxThreads;
        set => Gemm.MaxThreads = value;
    }
}
