using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Nn;

/// <summary>Argument checks shared by the kernels; every message names what was expected and what came.</summary>
internal static class ThrowHelper
{
    /// <summary>Throws unless <paramref name="actual"/> ≥ <paramref name="required"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AtLeast(int actual, long required, string paramName, string meaning)
    {
        if (actual < required)
        {
            Throw(actual, required, paramName, meaning);
        }
    }

    /// <summary>Throws unless a matrix span holds its shape; the message shows the shape and m, k, n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AtLeast(int actual, long required, string paramName, string shape, int m, int k, int n)
    {
        if (actual < required)
        {
            ThrowShape(actual, required, paramName, shape, m, k, n);
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> = <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exactly(int actual, int expected, string paramName, string meaning)
    {
        if (actual != expected)
        {
            ThrowNotExactly(actual, expected, paramName, meaning);
        }
    }

    /// <summary>Throws unless every dimension is 0 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dimensions(int m, int k, int n)
    {
        if ((m | k | n) < 0)
        {
            ThrowDimensions(m, k, n);
        }
    }

    // The throws live in methods of their own, so that every check above is a compare and a branch that the kernels
    // inline (hence AggressiveInlining): with the message's string interpolation in them, Exactly, Dimensions and the
    // shape overload of AtLeast were 100–150 bytes of IL, which the JIT left as calls from optimized kernels, calls to
    // methods that tiered compilation then ran as tier-0 code and re-compiled while Forward was already running.
    [DoesNotReturn]
    private static void ThrowNotExactly(int actual, int expected, string paramName, string meaning) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName} has {actual} elements, expected {expected} ({meaning})."),
            paramName);

    [DoesNotReturn]
    private static void ThrowDimensions(int m, int k, int n) =>
        throw new ArgumentOutOfRangeException(
            m < 0 ? nameof(m) : k < 0 ? nameof(k) : nameof(n),
            string.Create(CultureInfo.InvariantCulture, $"Dimensions must be 0 or more; got m={m}, k={k}, n={n}."));

    [DoesNotReturn]
    private static void ThrowShape(int actual, long required, string paramName, string shape, int m, int k, int n) =>
        Throw(actual, required, paramName, string.Create(CultureInfo.InvariantCulture, $"{shape} with m={m}, k={k}, n={n}"));

    [DoesNotReturn]
    private static void Throw(int actual, long required, string paramName, string meaning) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName} has {actual} elements, expected at least {required} ({meaning})."),
            paramName);
}
