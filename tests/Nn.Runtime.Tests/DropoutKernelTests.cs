using System;
using System.Linq;
using System.Numerics;
using Nn.Kernels;
using static Nn.Runtime.Tests.ContractTests;

namespace Nn.Runtime.Tests;

/// <summary>DropoutKernels: the mask's exact draws and its statistics, p = 0, bad p, in place, short spans and allocations.</summary>
public class DropoutKernelTests
{
    private const int Many = 100_000;

    [Fact]
    public void ZeroProbabilityIsTheIdentityAndDrawsNothing()
    {
        var x = Gaussian<float>(257, 1);
        var y = new float[257];
        var mask = new float[257];
        var rng = new Rng(3);
        DropoutKernels.Forward<float>(x, y, mask, 0, ref rng);
        Assert.Equal(x, y);
        Assert.All(mask, m => Assert.Equal(1f, m));
        Assert.Equal(new Rng(3).NextUInt64(), rng.NextUInt64());
    }

    // The mask is exactly "u < p ? 0 : 1/(1 − p)", one rng.NextDouble() per element in order, and y = x·mask.
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    [InlineData(0.9)]
    public void MaskIsOneDrawPerElement(double p)
    {
        Check<float>(p);
        Check<double>(p);

        static void Check<T>(double p)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var x = Gaussian<T>(1000, 2);
            var y = new T[1000];
            var mask = new T[1000];
            var rng = new Rng(4);
            DropoutKernels.Forward<T>(x, y, mask, p, ref rng);

            var check = new Rng(4);
            var keep = T.CreateChecked(1 / (1 - p));
            Assert.Equal(Enumerable.Range(0, 1000).Select(_ => check.NextDouble() < p ? T.Zero : keep), mask);
            Assert.Equal(x.Select((v, i) => v * mask[i]), y);
            Assert.Equal(check.NextUInt64(), rng.NextUInt64());   // ref: the caller's generator advanced by 1000 draws
        }
    }

    // Each mask entry is 1/(1 − p) with probability 1 − p, else 0: mean 1, variance p/(1 − p); a zero with probability p.
    // Both are checked within 4 standard errors over 1e5 elements.
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    public void MaskKeepsTheExpectedActivation(double p)
    {
        var mask = new double[Many];
        var rng = new Rng(5);
        DropoutKernels.Forward<double>(new double[Many], new double[Many], mask, p, ref rng);

        Assert.InRange(mask.Average(), 1 - (4 * Math.Sqrt(p / (1 - p) / Many)), 1 + (4 * Math.Sqrt(p / (1 - p) / Many)));
        var zeros = mask.Count(m => m == 0) / (double)Many;
        Assert.InRange(zeros, p - (4 * Math.Sqrt(p * (1 - p) / Many)), p + (4 * Math.Sqrt(p * (1 - p) / Many)));
        Assert.All(mask, m => Assert.True(m == 0 || m == 1 / (1 - p)));
    }

    [Fact]
    public void SameSeedGivesTheSameMask()
    {
        var first = Mask(seed: 6);
        Assert.Equal(first, Mask(seed: 6));
        Assert.NotEqual(first, Mask(seed: 7));

        static float[] Mask(ulong seed)
        {
            var mask = new float[500];
            var rng = new Rng(seed);
            DropoutKernels.Forward<float>(new float[500], new float[500], mask, 0.5, ref rng);
            return mask;
        }
    }

    [Fact]
    public void BackwardMultipliesByTheMask()
    {
        var mask = new double[300];
        var rng = new Rng(8);
        DropoutKernels.Forward<double>(new double[300], new double[300], mask, 0.3, ref rng);
        var dy = Gaussian<double>(300, 9);
        var dx = new double[300];
        DropoutKernels.Backward<double>(dy, mask, dx);
        Assert.Equal(dy.Select((d, i) => d * mask[i]), dx);

        DropoutKernels.Backward<double>(dy, mask, dy);   // in place
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void InPlaceEqualsOutOfPlace()
    {
        var x = Gaussian<float>(333, 10);
        var y = new float[333];
        var mask = new float[333];
        var rng = new Rng(11);
        DropoutKernels.Forward<float>(x, y, mask, 0.25, ref rng);

        var inPlace = (float[])x.Clone();
        var mask2 = new float[333];
        rng = new Rng(11);
        DropoutKernels.Forward<float>(inPlace, inPlace, mask2, 0.25, ref rng);
        Assert.Equal(y, inPlace);
        Assert.Equal(mask, mask2);

        inPlace = (float[])x.Clone();
        DropoutKernels.Forward<float>(inPlace, inPlace, mask2, 0, ref rng);
        Assert.Equal(x, inPlace);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ProbabilityOutsideZeroToOneThrows(double p)
    {
        var rng = new Rng(12);
        var x = new float[4];
        var e = Assert.Throws<ArgumentOutOfRangeException>("p", () => DropoutKernels.Forward<float>(x, x, new float[4], p, ref rng));
        Assert.Contains("[0, 1)", e.Message);
        Assert.Equal(new Rng(12).NextUInt64(), rng.NextUInt64());   // nothing drawn
    }

    [Fact]
    public void ShortSpansThrowNamingTheParameter()
    {
        var rng = new Rng(13);
        float[] F(int length) => new float[length];
        AssertMessage(() => DropoutKernels.Forward<float>(F(5), F(4), F(5), 0.5, ref rng), "y has 4 elements, expected at least 5");
        AssertMessage(() => DropoutKernels.Forward<float>(F(5), F(5), F(4), 0.5, ref rng), "mask has 4 elements, expected at least 5");
        AssertMessage(() => DropoutKernels.Forward<float>(F(5), F(5), F(4), 0, ref rng), "mask has 4 elements, expected at least 5");
        AssertMessage(() => DropoutKernels.Backward<float>(F(5), F(4), F(5)), "mask has 4 elements, expected at least 5");
        AssertMessage(() => DropoutKernels.Backward<float>(F(5), F(5), F(4)), "dx has 4 elements, expected at least 5");
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => DropoutKernels.Backward<float>(F(5), F(4), F(5))).ParamName);
    }

    [Fact]
    public void AllocatesNothingAfterTheFirstCall()
    {
        Assert.Equal(0, AllocatedBytes<float>());
        Assert.Equal(0, AllocatedBytes<double>());

        static long AllocatedBytes<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var x = Gaussian<T>(1000, 14);
            var y = new T[1000];
            var mask = new T[1000];
            var rng = new Rng(15);
            DropoutKernels.Forward<T>(x, y, mask, 0.5, ref rng);
            DropoutKernels.Forward<T>(x, y, mask, 0, ref rng);
            DropoutKernels.Backward<T>(y, mask, y);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++)
            {
                DropoutKernels.Forward<T>(x, y, mask, 0.5, ref rng);
                DropoutKernels.Forward<T>(x, y, mask, 0, ref rng);
                DropoutKernels.Backward<T>(y, mask, y);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
