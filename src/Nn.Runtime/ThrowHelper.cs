using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Nn;

/// <summary>Argument checks shared by the kernels; every message names what was expected and what came.</summary>
internal static class ThrowHelper
{
    /// <summary>Throws unless <paramref name="actual"/> ≥ <paramref name="required"/>.</summary>
    public static void AtLeast(int actual, long required, string paramName, string meaning)
    {
        if (actual < required)
        {
            Throw(actual, required, paramName, meaning);
        }
    }

    /// <summary>Throws unless a matrix span holds its shape; the message shows the shape and m, k, n.</summary>
    public static void AtLeast(int actual, long required, string paramName, string shape, int m, int k, int n)
    {
        if (actual < required)
        {
            Throw(actual, required, paramName, string.Create(CultureInfo.InvariantCulture, $"{shape} with m={m}, k={k}, n={n}"));
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> = <paramref name="expected"/>.</summary>
    public static void Exactly(int actual, int expected, string paramName, string meaning)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{paramName} has {actual} elements, expected {expected} ({meaning})."),
                paramName);
        }
    }

    /// <summary>Throws unless every dimension is 0 or more.</summary>
    public static void Dimensions(int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0)
        {
            throw new ArgumentOutOfRangeException(
                m < 0 ? nameof(m) : k < 0 ? nameof(k) : nameof(n),
                string.Create(CultureInfo.InvariantCulture, $"Dimensions must be 0 or more; got m={m}, k={k}, n={n}."));
        }
    }

    [DoesNotReturn]
    private static void Throw(int actual, long required, string paramName, string meaning) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName} has {actual} elements, expected at least {required} ({meaning})."),
            paramName);
}
