using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Nn.Kernels;

/// <summary>
/// Argument checks the generated code calls before it touches a span. Every message names
/// the argument, what was expected and what came.
/// </summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws unless a span's length is exactly <paramref name="expected"/>.</summary>
    /// <param name="actual">The span's length.</param>
    /// <param name="expected">The length the network needs.</param>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="meaning">How the expected length comes about, e.g. <c>"InputSize"</c> or <c>"batch·OutputSize, batch = 32"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="actual"/> differs from <paramref name="expected"/>.</exception>
    public static void Length(int actual, int expected, string paramName, string meaning)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, paramName, meaning);
        }
    }

    /// <summary>Throws unless <c>1 ≤ batch ≤ maxBatch</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch is empty or larger than the trainer was built for.</exception>
    public static void Batch(int batch, int maxBatch, string paramName)
    {
        if (batch < 1 || batch > maxBatch)
        {
            ThrowBatch(batch, maxBatch, paramName);
        }
    }

    /// <summary>Throws unless <paramref name="value"/> ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static void NonNegative(int value, string paramName)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, string.Create(
                CultureInfo.InvariantCulture, $"{paramName} is {value}, expected 0 or more."));
        }
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string paramName, string meaning) =>
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
