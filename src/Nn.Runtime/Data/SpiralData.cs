using System;

namespace Nn;

/// <summary>The spiral data set from the CS231n notes.</summary>
public static class SpiralData
{
    /// <summary>
    /// CS231n's spiral: for class j, <c>r = linspace(0, 1, N)</c>, <c>t = linspace(4j, 4(j+1), N) + 0.2·randn</c>,
    /// point <c>(r·sin t, r·cos t)</c>. Not linearly separable.
    /// </summary>
    /// <returns>X, row-major <c>[N·K × 2]</c>, and the labels <c>[N·K]</c>, class by class.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 points per class or fewer than 1 class.</exception>
    public static (float[] X, int[] Y) Generate(int pointsPerClass = 100, int classes = 3, ulong seed = 0)
    {
        var (x, y) = GenerateDouble(pointsPerClass, classes, seed);
        return (Array.ConvertAll(x, v => (float)v), y);
    }

    /// <inheritdoc cref="Generate"/>
    public static (double[] X, int[] Y) GenerateDouble(int pointsPerClass = 100, int classes = 3, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var rng = new Rng(seed);
        var x = new double[pointsPerClass * classes * 2];
        var y = new int[pointsPerClass * classes];
        for (var j = 0; j < classes; j++)
        {
            for (var i = 0; i < pointsPerClass; i++)
            {
                var n = (j * pointsPerClass) + i;
                var fraction = (double)i / (pointsPerClass - 1);
                var r = fraction;
                var t = (4.0 * j) + (4.0 * fraction) + (0.2 * rng.NextGaussian());
                x[2 * n] = r * Math.Sin(t);
                x[(2 * n) + 1] = r * Math.Cos(t);
                y[n] = j;
            }
        }

        return (x, y);
    }
}
