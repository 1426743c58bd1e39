namespace Nn.Runtime.Tests;

/// <summary>TensorInfo compares its shape by value, dimension by dimension, not by array reference.</summary>
public class TensorInfoTests
{
    [Fact]
    public void EqualShapesInDistinctArraysAreEqual()
    {
        var a = new TensorInfo("W1", 0, new[] { 784, 100 });
        var b = new TensorInfo("W1", 0, new[] { 784, 100 });
        Assert.NotSame(a.Shape, b.Shape);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void ADifferentDimensionNameOrOffsetIsNotEqual()
    {
        var a = new TensorInfo("W1", 0, new[] { 784, 100 });
        Assert.NotEqual(a, new TensorInfo("W1", 0, new[] { 784, 10 }));
        Assert.NotEqual(a, new TensorInfo("W1", 0, new[] { 100, 784 }));
        Assert.NotEqual(a, new TensorInfo("W1", 0, new[] { 784, 100, 1 }));
        Assert.NotEqual(a, new TensorInfo("W2", 0, new[] { 784, 100 }));
        Assert.NotEqual(a, new TensorInfo("W1", 4, new[] { 784, 100 }));
        Assert.False(a == new TensorInfo("W1", 0, new[] { 784, 10 }));
        Assert.False(a.Equals(null));
    }
}
