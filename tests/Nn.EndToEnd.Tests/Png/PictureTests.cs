using System;
using System.Linq;
using Classify;

namespace Nn.EndToEnd.Tests.Png;

/// <summary>samples/Classify's <see cref="Picture.ToInput"/>: inversion, centring on a black square, area averaging to 28×28.</summary>
public class PictureTests
{
    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(256) / 255f).ToArray();
    }

    [Fact]
    public void TwentyEightSquareIsKeptAndInverted()
    {
        var pixels = Random(784, 1);
        Assert.Equal(pixels, Picture.ToInput(pixels, 28, 28, invert: false));
        Assert.Equal(pixels.Select(v => 1 - v), Picture.ToInput(pixels, 28, 28, invert: true));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void AnEnlargedPictureShrinksBackExactly(int factor)
    {
        var pixels = Random(784, factor);
        var side = 28 * factor;
        var big = new float[side * side];
        for (var i = 0; i < big.Length; i++)
        {
            big[i] = pixels[(i / side / factor) * 28 + i % side / factor];
        }

        Assert.Equal(pixels, Picture.ToInput(big, side, side, invert: false));
    }

    [Fact]
    public void ANarrowPictureIsCentredOnBlack()
    {
        var pixels = Random(14 * 28, 7);
        var input = Picture.ToInput(pixels, 14, 28, invert: true);   // inverted first, padding black after
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                Assert.Equal(x is >= 7 and < 21 ? 1 - pixels[y * 14 + x - 7] : 0, input[y * 28 + x], 6);
            }
        }
    }

    [Theory]
    [InlineData(29, 29)]
    [InlineData(40, 17)]
    [InlineData(9, 61)]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    public void AreaAveragingMatchesSupersampling(int width, int height)
    {
        // Reference: split the black square of side s into (28·s)² sub-pixels, each taking the value of the source pixel
        // (or black) under it, and average each output pixel's s² sub-pixels.
        var pixels = Random(width * height, width * 100 + height);
        var s = Math.Max(width, height);
        int ox = (s - width) / 2, oy = (s - height) / 2;
        var input = Picture.ToInput(pixels, width, height, invert: false);
        for (var j = 0; j < 28; j++)
        {
            for (var i = 0; i < 28; i++)
            {
                double sum = 0;
                for (var v = j * s; v < (j + 1) * s; v++)
                {
                    for (var u = i * s; u < (i + 1) * s; u++)
                    {
                        int x = u / 28 - ox, y = v / 28 - oy;
                        sum += x >= 0 && x < width && y >= 0 && y < height ? pixels[y * width + x] : 0;
                    }
                }

                Assert.Equal(sum / ((double)s * s), input[j * 28 + i], tolerance: 1e-6);
            }
        }
    }

    [Fact]
    public void WrongPixelCountIsRefused() =>
        Assert.Contains("expected 3×2 pixels, found 5", Assert.Throws<ArgumentException>(() => Picture.ToInput(new float[5], 3, 2, false)).Message);
}
