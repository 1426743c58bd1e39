using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Argument checks the generated code calls before it touches a span. Every message names
/// the argument, what was expected and what came.
/// </summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    // The checks are inlined into the generated members (AggressiveInlining), which are compiled optimized at their first
    // call: a check left as a call would run as tier-0 code until tiered compilation re-compiled it.

    /// <summary>Throws unless a span's length is exactly <paramref name="expected"/>.</summary>
    /// <param name="actual">The span's length.</param>
    /// <param name="expected">The length the network needs, computed in 64 bits by the caller so that it cannot wrap.</param>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="meaning">How the expected length comes about, e.g. <c>"InputSize"</c> or <c>"batch·OutputSize, batch = 32"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="actual"/> differs from <paramref name="expected"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, long expected, string paramName, string meaning)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, paramName, meaning);
        }
    }

    /// <summary>Throws unless <c>1 ≤ batch ≤ maxBatch</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch is empty or larger than the trainer was built for.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Batch(int batch, int maxBatch, string paramName)
    {
        if (batch < 1 || batch > maxBatch)
        {
            ThrowBatch(batch, maxBatch, paramName);
        }
    }

    /// <summary>
    /// Throws unless <c>maxBatch ≥ 1</c> and a buffer of <c>maxBatch · valuesPerSample</c> elements fits in one array, before
    /// the trainer allocates anything.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The batch is empty, or so large that one of the trainer's buffers cannot exist.
    /// </exception>
    public static void MaxBatch(int maxBatch, int valuesPerSample, string paramName)
    {
        var largest = Array.MaxLength / Math.Max(1, valuesPerSample);
        if (maxBatch < 1 || maxBatch > largest)
        {
            var message = maxBatch < 1
                ? string.Format(CultureInfo.InvariantCulture, "{0} is {1}, expected at least 1.", paramName, maxBatch)
                : string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} is {1}: a buffer of {1}·{2} = {3} values is more than one array holds ({4}); this network's largest {0} is {5}.",
                    paramName, maxBatch, valuesPerSample, (long)maxBatch * valuesPerSample, Array.MaxLength, largest);
            throw new ArgumentOutOfRangeException(paramName, maxBatch, message);
        }
    }

    /// <summary>
    /// The length of a workspace of <paramref name="length"/> elements, computed in 64 bits by the caller, as an int; throws
    /// when it cannot be one array, so that nothing is allocated for a batch too large to exist.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="length"/> is negative or above <see cref="Array.MaxLength"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WorkspaceLength(long length, string paramName, string meaning)
    {
        if (length < 0 || length > Array.MaxLength)
        {
            throw new ArgumentException(
                string.Format(
                    CultureInfo.InvariantCulture,
                    "{0}: this batch needs {1} values of workspace ({2}), more than one array holds ({3}); split it into smaller batches.",
                    paramName, length, meaning, Array.MaxLength),
                paramName);
        }

        return (int)length;
    }

    /// <summary>Throws unless <paramref name="value"/> ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NonNegative(int value, string paramName)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, string.Create(
                CultureInfo.InvariantCulture, $"{paramName} is {value}, expected 0 or more."));
        }
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, long expected, string paramName, string meaning) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName} has {actual} elements, expected {expected} ({meaning})."),
            paramName);

    [DoesNotReturn]
    private static void ThrowBatch(int batch, int maxBatch, string paramName) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            batch,
            batch < 1
                ? string.Create(CultureInfo.InvariantCulture, $"The batch has {batch} samples, expected at least 1.")
                : string.Create(CultureInfo.InvariantCulture, $"The batch has {batch} samples, more than this trainer's capacity of {maxBatch} (maxBatch); create the Trainer with maxBatch ≥ {batch}."));
}
