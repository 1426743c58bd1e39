using System;

namespace Nn.Onnx.Tests;

/// <summary>A network's batched Forward, as the tests pass it around.</summary>
public delegate void ForwardBatch(ReadOnlySpan<float> x, Span<float> scores, int batch);

/// <summary>Comparing two engines' scores, 10 classes per image: the same predicted class everywhere, every score close.</summary>
internal static class Scores
{
    /// <summary>
    /// Every image's arg-max is the same in both, and |expected − actual| ≤ 1e-5 for every score (relative: ≤ 1e-5 ·
    /// max(1, |expected|), for engines that sum in another order on scores of size ~20).
    /// </summary>
    public static void AssertSame(float[] expected, float[] actual, string expectedName, string actualName, bool relative = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length / 10; i++)
        {
            var a = expected.AsSpan(i * 10, 10);
            var b = actual.AsSpan(i * 10, 10);
            Assert.True(ArgMax(a) == ArgMax(b), $"image {i}: {expectedName} predicts {ArgMax(a)}, {actualName} {ArgMax(b)}");
            for (var k = 0; k < 10; k++)
            {
                worst = Math.Max(worst, Math.Abs(a[k] - b[k]) / (relative ? Math.Max(1, Math.Abs(a[k])) : 1));
            }
        }

        Assert.True(worst <= 1e-5, $"the largest score difference between {expectedName} and {actualName}"
            + $"{(relative ? " (relative to max(1, |score|))" : string.Empty)} is {worst:E2}");
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var k = 1; k < values.Length; k++)
        {
            best = values[k] > values[best] ? k : best;
        }

        return best;
    }
}
