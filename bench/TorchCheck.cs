using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>Set-up checks that a TorchSharp peer computes what Nn computes, so the timings compare like with like.</summary>
internal static class TorchCheck
{
    /// <summary>Throws unless every element of <paramref name="actual"/> is within <paramref name="tolerance"/>·(1 + |expected|) of <paramref name="expected"/>.</summary>
    public static void Close(Tensor actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        var values = actual.contiguous().data<float>().ToArray();
        if (values.Length != expected.Length)
        {
            throw new InvalidOperationException($"{what}: {values.Length} values, expected {expected.Length}");
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!(Math.Abs(values[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException($"{what}: element {i} is {values[i]}, expected {expected[i]} (tolerance {tolerance})");
            }
        }
    }
}
