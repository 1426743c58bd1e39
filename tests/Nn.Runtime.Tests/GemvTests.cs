using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.Intrinsics;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>Every <see cref="Gemv"/> kernel against <see cref="GemvReference"/>: k and n around every vector boundary, bias, ReLU.</summary>
public class GemvTests
{
    private delegate void Kernel<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int k, int n, Epilogue epilogue);

    public static IEnumerable<object[]> Shapes()
    {
        int[] ks = { 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 20, 33, 100 };
        foreach (var k in ks)
        {
            for (var n = 0; n <= 40; n++)
            {
                yield return new object[] { k, n };
            }

            foreach (var n in new[] { 63, 64, 65, 100, 127, 128, 129, 143, 144, 145, 255, 256, 257, 512 })
            {
                yield return new object[] { k, n };
            }
        }

        yield return new object[] { 784, 100 };
        yield return new object[] { 784, 512 };
        yield return new object[] { 512, 10 };
        yield return new object[] { 3072, 3 };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMatchesReference(int k, int n)
    {
        foreach (var kernel in Kernels<float>())
        {
            Check(kernel, k, n, 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMatchesReference(int k, int n)
    {
        foreach (var kernel in Kernels<double>())
        {
            Check(kernel, k, n, 1e-12);
        }
    }

    // Wide lays its vectors on the cache-line grid when rows are a multiple of 64 bytes: every start offset of W,
    // bias and y within a line, with sentinels on both sides of y.
    [Theory]
    [InlineData(3, 16)]
    [InlineData(5, 48)]
    [InlineData(2, 128)]
    [InlineData(7, 144)]
    [InlineData(4, 100)]
    public void WideAtEveryOffsetMatchesReference(int k, int n)
    {
        var rng = new Random(n);
        var x = Fill<float>(rng, k);
        var wAll = Fill<float>(rng, (k * n) + 16);
        var bAll = Fill<float>(rng, n + 16);
        for (var offset = 0; offset < 16; offset++)
        {
            var w = wAll.AsSpan(offset, k * n);
            var b = bAll.AsSpan(15 - offset, n);
            var expected = new float[n];
            GemvReference.Forward<float>(x, w, b, expected, k, n, Epilogue.Relu);
            var yAll = new float[n + 32];
            Array.Fill(yAll, 12345f);
            Gemv.Wide<float>(x, w, b, yAll.AsSpan(offset, n), k, n, Epilogue.Relu);
            for (var j = 0; j < yAll.Length; j++)
            {
                var inside = j >= offset && j < offset + n;
                Assert.True(
                    inside ? Math.Abs(yAll[j] - expected[j - offset]) <= 1e-5 * (1 + Math.Abs(expected[j - offset])) : yAll[j] == 12345f,
                    $"k={k} n={n} offset={offset}: y[{j - offset}] = {yAll[j]}");
            }
        }
    }

    // Batch 1 on an AVX2 or NEON machine must not fall back to Gemm.MatMul with m = 1: Forward runs on the widest vectors
    // the process accelerates (the CI runs this with AVX-512, AVX2 and SSE switched off in turn), for every n.
    [Fact]
    public void ForwardRunsOnTheWidestAcceleratedVectorsAndNeverFallsBackToGemm()
    {
        var expected = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        Assert.Equal(expected, Gemv.Width<float>());
        Assert.Equal(expected, Gemv.Width<double>());
        var before = Gemv.Fallbacks;
        var calls = 0;
        foreach (var k in new[] { 1, 3, 100 })
        {
            for (var n = 1; n <= 520; n += n < 40 ? 1 : 37)
            {
                Gemv.Forward<float>(new float[k], new float[k * n], new float[n], new float[n], k, n, Epilogue.Relu);
                Gemv.Forward<double>(new double[k], new double[k * n], default, new double[n], k, n);
                calls += 2;
            }
        }

        Assert.Equal(expected == 0 ? calls : 0, Gemv.Fallbacks - before);
    }

    [Fact]
    public void ShortSpansThrowWithTheExpectedLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemv.Wide<float>(new float[2], new float[300], new float[100], new float[100], k: 3, n: 100));
        Assert.Contains("x has 2 elements, expected at least 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemv.Narrow<float>(new float[3], new float[29], new float[10], new float[10], k: 3, n: 10));
        Assert.Contains("w has 29 elements, expected at least 30", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemv.Packed<double>(new double[3], new double[9], new double[3], new double[2], k: 3, n: 3));
        Assert.Contains("y has 2 elements, expected at least 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemv.Forward<double>(new double[3], new double[9], new double[4], new double[3], k: 3, n: 3));
        Assert.Contains("bias has 4 elements, expected 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemv.Forward<float>(default, default, default, default, k: -1, n: 3));
    }

    private static IEnumerable<Kernel<T>> Kernels<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        yield return Gemv.Forward;
        yield return Gemv.Wide;
        yield return Gemv.Narrow;
        yield return Gemv.Packed;
    }

    // Exact-length x, W and bias; y has sentinels after its n values, which no kernel may touch.
    private static void Check<T>(Kernel<T> kernel, int k, int n, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random((k * 1000) + n);
        var x = Fill<T>(rng, k);
        var w = Fill<T>(rng, k * n);
        var bias = Fill<T>(rng, n);
        foreach (var withBias in new[] { false, true })
        {
            foreach (var epilogue in new[] { Epilogue.None, Epilogue.Relu })
            {
                var b = withBias ? bias : Array.Empty<T>();
                var expected = new T[n];
                GemvReference.Forward<T>(x, w, b, expected, k, n, epilogue);
                var y = new T[n + 17];
                Array.Fill(y, T.CreateTruncating(12345));
                kernel(x, w, b, y, k, n, epilogue);
                for (var j = 0; j < n; j++)
                {
                    var scale = double.CreateTruncating(T.Abs(expected[j])) + 1;
                    var error = Math.Abs(double.CreateTruncating(y[j] - expected[j])) / scale;
                    Assert.True(error <= tolerance * Math.Sqrt(k + 1), $"{kernel.Method.Name} k={k} n={n} bias={withBias} {epilogue}: y[{j}] = {y[j]}, expected {expected[j]}");
                }

                for (var j = n; j < y.Length; j++)
                {
                    Assert.Equal(T.CreateTruncating(12345), y[j]);
                }
            }
        }
    }

    private static T[] Fill<T>(Random rng, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        return values;
    }
}
