using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Nn.Kernels;
using static Nn.Runtime.Tests.ContractTests;

namespace Nn.Runtime.Tests;

/// <summary>
/// The loss-only kernels (Losses.Evaluate.cs) against their gradient twins: the same bits for every row width
/// 0..256, float and double, and the same argument checks.
/// </summary>
public class LossOnlyKernelTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 257).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LossOnlyKernelsEqualTheirGradientTwinsBitForBit(int width)
    {
        CheckEveryHead<float>(width);
        CheckEveryHead<double>(width);
    }

    [Fact]
    public void LargeScoresGiveTheSameBitsToo()
    {
        // Scores of ±1e4: softmax's max shift and the logistic's stable softplus are exercised, margins saturate.
        var scores = Gaussian<double>(5 * 7, seed: 3).Select(v => v * 1e4).ToArray();
        var labels = new[] { 0, 6, 3, 3, 1 };
        AssertBits(Losses.SoftmaxCrossEntropy<double>(scores, labels, new double[35], batch: 5, classes: 7), Losses.SoftmaxCrossEntropy<double>(scores, labels, batch: 5, classes: 7));
        var binary = new[] { 0, 1, 1, 0, 1 };
        AssertBits(Losses.LogisticCrossEntropy<double>(scores, binary, new double[5], batch: 5), Losses.LogisticCrossEntropy<double>(scores, binary, batch: 5));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(40)]
    public void SoftmaxGivesTheSameBitsAcrossChunksOfRows(int classes)
    {
        // 600 rows: chunks of 256, 256 and 88, the runtime's scratch holding one chunk at a time
        const int Batch = 600;
        var scores = Gaussian<float>(Batch * classes, seed: (ulong)classes);
        var labels = Enumerable.Range(0, Batch).Select(i => (i * 31) % classes).ToArray();
        AssertBits(
            Losses.SoftmaxCrossEntropy<float>(scores, labels, new float[Batch * classes], Batch, classes),
            Losses.SoftmaxCrossEntropy<float>(scores, labels, Batch, classes));
    }

    [Fact]
    public void LossOnlyKernelsWriteNothingToTheirArguments()
    {
        var scores = Gaussian<float>(4 * 3, seed: 9);
        var copy = (float[])scores.Clone();
        var labels = new[] { 2, 0, 1, 1 };
        Losses.SoftmaxCrossEntropy<float>(scores, labels, batch: 4, classes: 3);
        Losses.MulticlassSvm<float>(scores, labels, batch: 4, classes: 3);
        Losses.MeanSquaredError<float>(scores, copy, batch: 4, outputs: 3);
        Assert.Equal(copy, scores);
    }

    [Fact]
    public void LossOnlyKernelsAllocateOnlyWhenTheirScratchGrows()
    {
        // The scratch is this thread's and only grows: the largest call first, then the same and smaller ones.
        var scores = Gaussian<float>(600 * 10, seed: 11);
        var labels = Enumerable.Range(0, 600).Select(i => i % 10).ToArray();
        var targets = Gaussian<float>(600 * 10, seed: 12);
        void Work(int batch)
        {
            Losses.SoftmaxCrossEntropy<float>(scores, labels, batch, classes: 10);
            Losses.MeanSquaredError<float>(scores, targets, batch, outputs: 10);
        }

        Work(600);
        // The batch sizes are an array made before the count starts: written inline in the foreach, the 120 bytes the
        // test's own unoptimized (tier-0) code spends creating that array (RuntimeHelpers.InitializeArray is a call
        // there, not the intrinsic it is in optimized code, which also keeps the array on the stack) were counted as the
        // kernels'. Measured per call, the kernels allocated 0 bytes at tier 0 and optimized.
        int[] batches = { 600, 300, 256, 7, 1, 0 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var batch in batches)
        {
            Work(batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ShortSpansAndBadLabelsThrowNamingExpectedAndActual()
    {
        AssertMessage(() => Losses.SoftmaxCrossEntropy<float>(new float[5], new[] { 0, 0 }, batch: 2, classes: 3), "scores has 5 elements, expected at least 6");
        AssertMessage(() => Losses.SoftmaxCrossEntropy<float>(new float[6], new[] { 0 }, batch: 2, classes: 3), "labels has 1 elements, expected at least 2");
        AssertMessage(() => Losses.SoftmaxCrossEntropy<float>(new float[6], new[] { 0, 3 }, batch: 2, classes: 3), "labels[1] is 3, expected a class index in [0, 3)");
        AssertMessage(() => Losses.MulticlassSvm<double>(new double[6], new[] { -1, 0 }, batch: 2, classes: 3), "labels[0] is -1, expected a class index in [0, 3)");
        AssertMessage(() => Losses.BinarySvm<double>(new double[2], new[] { 0, 2 }, batch: 2), "labels[1] is 2, expected a class index in [0, 2)");
        AssertMessage(() => Losses.LogisticCrossEntropy<float>(new float[1], new[] { 0, 1 }, batch: 2), "scores has 1 elements, expected at least 2");
        AssertMessage(() => Losses.MeanSquaredError<float>(new float[3], new float[4], batch: 2, outputs: 2), "scores has 3 elements, expected at least 4");
        AssertMessage(() => Losses.MeanSquaredError<float>(new float[4], new float[3], batch: 2, outputs: 2), "targets has 3 elements, expected at least 4");
    }

    private static void CheckEveryHead<T>(int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Batch = 5;
        var seed = (ulong)width;
        var scores = Gaussian<T>(Batch * Math.Max(width, 1), seed + 100);
        var rng = new Rng(seed + 200);
        if (width > 0)
        {
            var labels = Enumerable.Range(0, Batch).Select(_ => rng.NextInt(width)).ToArray();
            var d = new T[Batch * width];
            AssertBits(
                Losses.SoftmaxCrossEntropy<T>(scores, labels, d, Batch, width),
                Losses.SoftmaxCrossEntropy<T>(scores, labels, Batch, width));
            AssertBits(
                Losses.MulticlassSvm<T>(scores, labels, d, Batch, width),
                Losses.MulticlassSvm<T>(scores, labels, Batch, width));
        }

        // the width as a batch size for the one-score heads and the regression head's rows
        var binary = Enumerable.Range(0, width).Select(_ => rng.NextInt(2)).ToArray();
        var one = Gaussian<T>(width, seed + 300);
        AssertBits(Losses.BinarySvm<T>(one, binary, new T[width], width), Losses.BinarySvm<T>(one, binary, width));
        AssertBits(Losses.LogisticCrossEntropy<T>(one, binary, new T[width], width), Losses.LogisticCrossEntropy<T>(one, binary, width));

        var prediction = Gaussian<T>(width * 3, seed + 400);
        var targets = Gaussian<T>(width * 3, seed + 500);
        AssertBits(
            Losses.MeanSquaredError<T>(prediction, targets, new T[width * 3], batch: width, outputs: 3),
            Losses.MeanSquaredError<T>(prediction, targets, batch: width, outputs: 3));
    }

    private static void AssertBits<T>(T expected, T actual)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Assert.Equal(double.CreateChecked(expected).ToString("R"), double.CreateChecked(actual).ToString("R"));
}
