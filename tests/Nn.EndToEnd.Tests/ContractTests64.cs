using System;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// Sizes in generated code are computed in 64 bits before anything is allocated: a batch whose product with a layer width
/// passes int.MaxValue is an argument error that names the argument, not a wrapped length that passes a guard, fails inside
/// a kernel or allocates gigabytes first.
/// </summary>
public class ContractTests64
{
    [Fact]
    public void ABatchWhoseLengthWouldWrapIsRefusedAtTheGuard()
    {
        var net = new SpiralNet(seed: 1);
        var batch = 1 << 30;   // 2·2^30 inputs: wraps to a negative int in 32 bits
        var e = Assert.Throws<ArgumentException>(() => net.Forward(new float[4], new float[6], batch));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("expected 2147483648", e.Message);
    }

    [Fact]
    public void ATrainerTooLargeToExistIsRefusedWithTheLargestThatFits()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SpiralNet.Trainer(new SpiralNet(seed: 1), 30_000_000));
        Assert.Equal("maxBatch", e.ParamName);
        Assert.Contains("this network's largest maxBatch is " + (Array.MaxLength / 100), e.Message);
        Assert.DoesNotContain("create the Trainer with maxBatch", e.Message);
    }

    [Fact]
    public void APredictBatchWhoseWorkspaceCannotExistAllocatesNothingFirst()
    {
        // 2 inputs but 100 + 3 hidden values and scores per sample: x fits in an array, the workspace would not.
        const int N = 21_000_000;
        var x = new float[(long)N * SpiralNet.InputSize];
        var labels = new int[N];
        var net = new SpiralNet(seed: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => net.Predict(x, labels));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the workspace was allocated before the refusal");
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("2163000000 values of workspace", e.Message);
    }
}
