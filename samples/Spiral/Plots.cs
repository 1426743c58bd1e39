using System;
using ScottPlot;

namespace Spiral;

/// <summary>The case study's pictures: the spiral, and a classifier's decision regions under it.</summary>
internal static class Plots
{
    private static readonly Color[] ClassColors = { Colors.RoyalBlue, Colors.Crimson, Colors.Orange };

    internal delegate void PredictBatch(ReadOnlySpan<float> x, Span<int> labels);

    public static void Data(float[] x, int[] y, string path)
    {
        var plot = NewPlot("Spiral data: 3 classes, not linearly separable");
        AddPoints(plot, x, y);
        plot.SavePng(path, 600, 600);
    }

    /// <summary>Classifies a 200×200 grid over [-1.1, 1.1]² and paints each class's region, then the data.</summary>
    public static void DecisionBoundary(PredictBatch predict, float[] x, int[] y, string title, string path)
    {
        const int Steps = 200;
        const double Min = -1.1, Max = 1.1;
        var grid = new float[Steps * Steps * 2];
        for (var i = 0; i < Steps; i++)
        {
            for (var j = 0; j < Steps; j++)
            {
                var n = (i * Steps) + j;
                grid[2 * n] = (float)(Min + ((Max - Min) * j / (Steps - 1)));
                grid[(2 * n) + 1] = (float)(Min + ((Max - Min) * i / (Steps - 1)));
            }
        }

        var labels = new int[Steps * Steps];
        predict(grid, labels);

        var plot = NewPlot(title);
        for (var c = 0; c < ClassColors.Length; c++)
        {
            var (xs, ys) = PointsOfClass(grid, labels, c);
            var region = plot.Add.ScatterPoints(xs, ys, ClassColors[c].WithAlpha(0.25));
            region.MarkerShape = MarkerShape.FilledSquare;
            region.MarkerSize = 3;
        }

        AddPoints(plot, x, y);
        plot.Axes.SetLimits(Min, Max, Min, Max);
        plot.SavePng(path, 600, 600);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.SetLimits(-1.1, 1.1, -1.1, 1.1);
        return plot;
    }

    private static void AddPoints(Plot plot, float[] x, int[] y)
    {
        for (var c = 0; c < ClassColors.Length; c++)
        {
            var (xs, ys) = PointsOfClass(x, y, c);
            var points = plot.Add.ScatterPoints(xs, ys, ClassColors[c]);
            points.MarkerSize = 7;
            points.LegendText = "class " + c;
        }
    }

    // The coordinates of the 2-D points labelled c, as ScottPlot wants them.
    private static (double[] Xs, double[] Ys) PointsOfClass(float[] points, int[] labels, int c)
    {
        var xs = new System.Collections.Generic.List<double>();
        var ys = new System.Collections.Generic.List<double>();
        for (var n = 0; n < labels.Length; n++)
        {
            if (labels[n] == c)
            {
                xs.Add(points[2 * n]);
                ys.Add(points[(2 * n) + 1]);
            }
        }

        return (xs.ToArray(), ys.ToArray());
    }
}
