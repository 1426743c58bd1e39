using System;

namespace Classify;

/// <summary>
/// Turns a decoded picture into one Fashion-MNIST input: light garment on black, 28×28, luminance in [0, 1].
/// </summary>
internal static class Picture
{
    /// <summary>Fashion-MNIST's side: 28 pixels.</summary>
    public const int Side = 28;

    /// <summary>
    /// Optionally inverts (<c>1 − v</c>, for a dark garment on a light background), then, unless the picture is already
    /// 28×28, centres it on a black square as wide as its longer side (Fashion-MNIST's own images were made that way, so
    /// the garment keeps its proportions) and shrinks or enlarges that square to 28×28 by area averaging: each output
    /// pixel is the mean of the source area it covers, every source pixel weighted by the fraction of it inside.
    /// </summary>
    /// <param name="pixels">Row-major luminance, <c>width·height</c> values in [0, 1].</param>
    /// <param name="width">The picture's width in pixels.</param>
    /// <param name="height">The picture's height in pixels.</param>
    /// <param name="invert">Replace every value <c>v</c> by <c>1 − v</c> first.</param>
    /// <returns><c>28·28</c> values; a 28×28 picture comes back unchanged (apart from the inversion).</returns>
    public static float[] ToInput(ReadOnlySpan<float> pixels, int width, int height, bool invert)
    {
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"expected {width}×{height} pixels, found {pixels.Length}.", nameof(pixels));
        }

        if (width == Side && height == Side)
        {
            var copy = pixels.ToArray();
            for (var i = 0; invert && i < copy.Length; i++)
            {
                copy[i] = 1 - copy[i];
            }

            return copy;
        }

        // The square of side s holds the picture at (ox, oy); outside it is black (0) and adds nothing to the sums.
        var s = Math.Max(width, height);
        int ox = (s - width) / 2, oy = (s - height) / 2;

        // Horizontal pass: every source row (inverted, as doubles, one row at a time) to 28 columns; then the vertical pass:
        // 28 rows from the source rows. Memory: one row and height × 28 doubles, whatever the picture's size.
        var line = new double[width];
        var rows = new double[(long)height * Side];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                line[x] = invert ? 1 - row[x] : row[x];
            }

            for (var o = 0; o < Side; o++)
            {
                rows[(long)y * Side + o] = Average(line, 1, ox, s, o);
            }
        }

        var result = new float[Side * Side];
        for (var x = 0; x < Side; x++)
        {
            for (var o = 0; o < Side; o++)
            {
                result[o * Side + x] = (float)Average(rows.AsSpan(x), Side, oy, s, o);
            }
        }

        return result;
    }

    /// <summary>
    /// The mean of output cell <paramref name="o"/> of 28 along one axis of a square of side <paramref name="s"/>, whose
    /// pixels <c>[offset, offset + count)</c> are <paramref name="line"/>'s values (every <paramref name="step"/>-th) and
    /// the rest 0. In units of 1/28 of a source pixel, cell o covers <c>[o·s, (o+1)·s)</c> and source pixel k covers
    /// <c>[28·k, 28·(k+1))</c>; the overlaps, divided by s, are the weights, so they sum to 1 and the integer arithmetic is exact.
    /// </summary>
    private static double Average(ReadOnlySpan<double> line, int step, int offset, int s, int o)
    {
        long start = (long)o * s, end = start + s;
        var count = (line.Length + step - 1) / step;
        int first = (int)Math.Max(0, start / Side - offset), last = (int)Math.Min(count - 1, (end - 1) / Side - offset);
        double sum = 0;
        for (var k = first; k <= last; k++)
        {
            long from = Math.Max(start, (long)(k + offset) * Side), to = Math.Min(end, (long)(k + offset + 1) * Side);
            sum += (to - from) * line[k * step];
        }

        return sum / s;
    }
}
