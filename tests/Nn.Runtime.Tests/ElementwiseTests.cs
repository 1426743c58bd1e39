using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>
/// Elementwise (the kernels Predict, Probabilities, the losses, L2 and SGD use instead of TensorPrimitives) against a
/// double-precision reference and against TensorPrimitives itself, at every length 0..40 (every vector tail at every
/// width) and with NaN, ±∞, ±0, subnormal results and values far outside exp's range. CI runs this project at 256 and
/// 128 bits (DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0) and as linux-arm64.
/// </summary>
public class ElementwiseTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 41).Select(n => new object[] { n });

    // Every value exp can meet in a softmax, and the ones it should not: the finite range of float exp and beyond it,
    // the subnormal results (x below −87.3), the exact edges, and NaN and infinities.
    private static readonly float[] Special =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon, 1f, -1f,
        88.72283f, 88.72284f, 89f, -87.33654f, -87.4f, -100f, -103.97208f, -103.98f, -104f, -150f, 1e30f, -1e30f,
        float.MaxValue, float.MinValue, 0.34657359f, -0.34657359f, 1e-8f, -1e-8f, 20.5f, -20.5f,
    ];

    [Fact]
    public void FloatExpIsWithinOneUlpOfTheDoubleReferenceAndOfTensorPrimitivesOverTheWholeRange()
    {
        // Every 997th float bit pattern between −110 and 100, then the special values.
        var values = new List<float>(Special);
        for (var x = -110f; x < 100f; x = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + (x < 0 ? -997 : 997)))
        {
            values.Add(x);
            if (x < 0 && x > -1e-30f)
            {
                x = 1e-30f;
            }
        }

        var input = values.ToArray();
        var ours = new float[input.Length];
        var theirs = new float[input.Length];
        Elementwise.Exp<float>(input, ours);
        TensorPrimitives.Exp(input, theirs);
        var worst = 0L;
        for (var i = 0; i < input.Length; i++)
        {
            var reference = (float)Math.Exp(input[i]);
            if (float.IsNaN(input[i]))
            {
                Assert.True(float.IsNaN(ours[i]), $"exp(NaN) = {ours[i]}");
                continue;
            }

            var ulps = UlpDistance(ours[i], reference);
            worst = Math.Max(worst, ulps);
            Assert.True(ulps <= 1, $"exp({input[i]:R}) = {ours[i]:R}, reference {reference:R} ({ulps} ulp)");
            // TensorPrimitives is itself up to 2 ulp off (near the smallest normal floats): as close to it as that allows.
            var theirError = UlpDistance(theirs[i], reference);
            Assert.True(UlpDistance(ours[i], theirs[i]) <= 1 + theirError, $"exp({input[i]:R}) = {ours[i]:R}, TensorPrimitives {theirs[i]:R}");
        }

        Assert.True(input.Length > 100_000, $"{input.Length} values");
        Assert.True(worst <= 1, $"worst {worst} ulp");
        Assert.Equal(float.PositiveInfinity, ours[Array.IndexOf(input, float.PositiveInfinity)]);
        Assert.Equal(0f, ours[Array.IndexOf(input, float.NegativeInfinity)]);
        Assert.Equal(float.PositiveInfinity, ours[Array.IndexOf(input, 89f)]);
        Assert.Equal(0f, ours[Array.IndexOf(input, -104f)]);
        Assert.True(ours[Array.IndexOf(input, -100f)] is > 0f and < 1.2e-38f, "exp(−100) is a subnormal float, not 0");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ExpGivesEveryLengthAndTailTheSameBitsInPlaceOrNot(int length)
    {
        var x = Enumerable.Range(0, length).Select(i => Special[(i * 7) % Special.Length] * (i % 3 == 0 ? 1f : 0.01f)).ToArray();
        var y = new float[length];
        Elementwise.Exp<float>(x, y);
        var alone = new float[1];
        for (var i = 0; i < length; i++)
        {
            Elementwise.Exp<float>(x.AsSpan(i, 1), alone);   // the same value as the only element, in the padded tail
            Assert.Equal(BitConverter.SingleToInt32Bits(alone[0]), BitConverter.SingleToInt32Bits(y[i]));
        }

        var inPlace = (float[])x.Clone();
        Elementwise.Exp<float>(inPlace, inPlace);
        Assert.Equal(y, inPlace);

        var xd = x.Select(v => (double)v).ToArray();
        var yd = new double[length];
        Elementwise.Exp<double>(xd, yd);
        Assert.Equal(xd.Select(Math.Exp).ToArray(), yd);   // double: the C library's exp, bit for bit
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LogIsTheCLibrarysLogAndWithinOneUlpOfTensorPrimitives(int length)
    {
        var x = Enumerable.Range(0, length).Select(i => i switch
        {
            0 => 0f,
            1 => -1f,
            2 => float.NaN,
            3 => float.PositiveInfinity,
            4 => float.Epsilon,
            _ => MathF.Exp((i - 20) * 1.7f) * 1.3f,
        }).ToArray();
        var y = new float[length];
        var theirs = new float[length];
        Elementwise.Log<float>(x, y);
        TensorPrimitives.Log(x, theirs);
        for (var i = 0; i < length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(MathF.Log(x[i])), BitConverter.SingleToInt32Bits(y[i]));
            Assert.True(float.IsNaN(y[i]) ? float.IsNaN(theirs[i]) : UlpDistance(y[i], theirs[i]) <= 1, $"log({x[i]:R}) = {y[i]:R}, TensorPrimitives {theirs[i]:R}");
        }

        var xd = x.Select(v => (double)v).ToArray();
        var yd = new double[length];
        Elementwise.Log<double>(xd, xd);   // in place
        Assert.Equal(x.Select(v => Math.Log(v)).ToArray(), xd);
        Assert.Throws<ArgumentException>(() => Elementwise.Log<double>(new double[length + 1], yd));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MaxAndIndexOfMaxAgreeWithTensorPrimitivesOnTiesZerosNaNAndInfinities(int length)
    {
        var random = new Random(length);
        float[] palette = [1f, 2f, -0f, 0f, float.NegativeInfinity, float.PositiveInfinity, -3f, 2f];
        for (var trial = 0; trial < 200; trial++)
        {
            var x = Enumerable.Range(0, length).Select(_ => palette[random.Next(palette.Length)]).ToArray();
            if (length > 0 && trial % 4 == 1)
            {
                x[random.Next(length)] = float.NaN;
            }

            if (length > 0 && trial % 8 == 2)
            {
                x[random.Next(length)] = float.NaN;
                x[random.Next(length)] = float.NaN;
            }

            Assert.Equal(TensorPrimitives.IndexOfMax<float>(x), Elementwise.IndexOfMax<float>(x));
            var xd = x.Select(v => (double)v).ToArray();
            Assert.Equal(TensorPrimitives.IndexOfMax<double>(xd), Elementwise.IndexOfMax<double>(xd));
            if (length == 0)
            {
                Assert.Throws<ArgumentException>(() => Elementwise.Max<float>(x));
                continue;
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(TensorPrimitives.Max<float>(x)), BitConverter.SingleToInt32Bits(Elementwise.Max<float>(x)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(TensorPrimitives.Max<double>(xd)), BitConverter.DoubleToInt64Bits(Elementwise.Max<double>(xd)));
        }

        Assert.Equal(-1, Elementwise.IndexOfMax<float>([]));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SumsAreWithinRoundingOfTheDoubleSumAndPropagateNaNAndInfinity(int length)
    {
        var random = new Random(100 + length);
        var x = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1e3f).ToArray();
        var exact = x.Sum(v => (double)v);
        var exactSquares = x.Sum(v => (double)v * v);
        var magnitude = x.Sum(v => Math.Abs((double)v));
        Assert.True(Math.Abs(Elementwise.Sum<float>(x) - exact) <= 1e-6 * length * magnitude + 1e-30, $"sum {Elementwise.Sum<float>(x)} vs {exact}");
        Assert.True(Math.Abs(Elementwise.SumOfSquares<float>(x) - exactSquares) <= 1e-6 * length * exactSquares + 1e-30);
        var xd = x.Select(v => (double)v).ToArray();
        Assert.True(Math.Abs(Elementwise.Sum<double>(xd) - exact) <= 1e-14 * length * magnitude + 1e-300);
        Assert.True(Math.Abs(Elementwise.SumOfSquares<double>(xd) - exactSquares) <= 1e-14 * length * exactSquares + 1e-300);
        if (length > 0)
        {
            x[length / 2] = float.NaN;
            Assert.True(float.IsNaN(Elementwise.Sum<float>(x)) && float.IsNaN(Elementwise.SumOfSquares<float>(x)));
            x[length / 2] = float.NegativeInfinity;
            Assert.Equal(float.NegativeInfinity, Elementwise.Sum<float>(x));
            Assert.Equal(float.PositiveInfinity, Elementwise.SumOfSquares<float>(x));
            x[length / 2] = 3e38f;
            Assert.Equal(float.PositiveInfinity, Elementwise.SumOfSquares<float>(x));   // overflows as the reference does
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ElementwiseArithmeticIsTheScalarFormulaBitForBitInPlaceOrNot(int length)
    {
        var random = new Random(200 + length);
        var x = Enumerable.Range(0, length).Select(i => i % 11 == 5 ? float.NaN : i % 13 == 6 ? float.PositiveInfinity : (float)(random.NextDouble() - 0.5) * 1e3f).ToArray();
        var a = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        const float S = 0.37f;
        Check((x, y) => Elementwise.Subtract<float>(x, S, y), v => v - S);
        Check((x, y) => Elementwise.Multiply<float>(x, S, y), v => v * S);
        Check((x, y) => Elementwise.Divide<float>(x, S, y), v => v / S);
        var z = new float[length];
        Elementwise.Subtract<float>(x, a, z);
        Assert.Equal(x.Zip(a, (p, q) => p - q).ToArray(), z);
        Elementwise.MultiplyAdd<float>(x, S, a, z);
        Assert.Equal(x.Zip(a, (p, q) => (p * S) + q).ToArray(), z);
        var sgd = (float[])a.Clone();
        Elementwise.MultiplyAdd<float>(x, -S, sgd, sgd);   // in place into the addend, as SGD runs it
        Assert.Equal(x.Zip(a, (p, q) => (p * -S) + q).ToArray(), sgd);
        var theirs = new float[length];
        TensorPrimitives.MultiplyAdd(x, -S, a, theirs);
        Assert.Equal(theirs, sgd);   // the same rounding as the TensorPrimitives call it replaced

        var xd = x.Select(v => (double)v).ToArray();
        var yd = new double[length];
        Elementwise.Divide<double>(xd, 3.0, yd);
        Assert.Equal(xd.Select(v => v / 3.0).ToArray(), yd);
        Assert.Throws<ArgumentException>(() => Elementwise.Multiply<float>(new float[length + 1], S, new float[length]));
        Assert.Throws<ArgumentException>(() => Elementwise.MultiplyAdd<float>(new float[length + 1], S, new float[length + 1], new float[length]));

        void Check(Action<float[], float[]> kernel, Func<float, float> formula)
        {
            var y = new float[length];
            kernel(x, y);
            Assert.Equal(x.Select(formula).ToArray(), y);
            var inPlace = (float[])x.Clone();
            kernel(inPlace, inPlace);
            Assert.Equal(y, inPlace);
        }
    }

    [Fact]
    public void SoftmaxProbabilitiesStayWithinOneUlpOfTheDoubleSoftmaxForHugeScores()
    {
        // Scores up to ±5e29: the max shift keeps exp from overflowing; rows of 3, 10 and 37 classes.
        foreach (var classes in new[] { 3, 10, 37 })
        {
            var random = new Random(classes);
            var scores = Enumerable.Range(0, 4 * classes).Select(i => (float)((random.NextDouble() - 0.5) * (i < classes ? 1e30 : i < 2 * classes ? 200 : 4))).ToArray();
            var p = new float[scores.Length];
            Losses.SoftmaxProbabilities<float>(scores, p, batch: 4, classes);
            for (var r = 0; r < 4; r++)
            {
                var row = scores.AsSpan(r * classes, classes).ToArray();
                // The shifted scores as the kernel has them (s − max rounded to float); exp, sum and division in double.
                var max = row.Max();
                var sum = row.Sum(v => Math.Exp(v - max));
                for (var j = 0; j < classes; j++)
                {
                    var reference = Math.Exp(row[j] - max) / sum;
                    Assert.True(Math.Abs(p[(r * classes) + j] - reference) <= 4e-7 * reference + 1e-45, $"row {r} class {j}: {p[(r * classes) + j]:R} vs {reference:R}");
                }
            }
        }
    }

    private static long UlpDistance(float a, float b)
    {
        if (a == b)
        {
            return 0;
        }

        long Ordered(float v)
        {
            var bits = BitConverter.SingleToInt32Bits(v);
            return bits < 0 ? int.MinValue - (long)bits : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }
}
