using System;
using System.Numerics;

namespace Nn;

/// <summary>Samples <c>X</c> (<c>[Count × Features]</c>, row-major) with class labels <c>Y</c>.</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Dataset<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps the arrays (no copy).</summary>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    public Dataset(T[] x, int[] y, int features)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (x.Length != (long)y.Length * features)
        {
            throw new ArgumentException($"x has {x.Length} values, expected y.Length·features = {y.Length}·{features} = {(long)y.Length * features}.", nameof(x));
        }

        X = x;
        Y = y;
        Features = features;
    }

    /// <summary>The samples, row-major.</summary>
    public T[] X { get; }

    /// <summary>The labels.</summary>
    public int[] Y { get; }

    /// <summary>Values per sample.</summary>
    public int Features { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Y.Length;

    /// <summary>Sample <paramref name="index"/>'s features.</summary>
    public ReadOnlySpan<T> Sample(int index) => new(X, index * Features, Features);

    /// <summary>
    /// Splits off a validation set: a seeded shuffle, then the last <paramref name="validationCount"/> samples.
    /// Copies the data; this dataset is unchanged.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationCount"/> is not in [0, Count).</exception>
    public (Dataset<T> Train, Dataset<T> Validation) Split(int validationCount, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validationCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(validationCount, Count);
        var order = Shuffled(Count, seed);
        return (Take(order.AsSpan(0, Count - validationCount)), Take(order.AsSpan(Count - validationCount)));
    }

    internal static int[] Shuffled(int count, ulong seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var rng = new Rng(seed);
        Shuffle(order, ref rng);
        return order;
    }

    // Fisher–Yates.
    internal static void Shuffle(int[] order, ref Rng rng)
    {
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private Dataset<T> Take(ReadOnlySpan<int> indices)
    {
        var x = new T[indices.Length * Features];
        var y = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            Sample(indices[i]).CopyTo(x.AsSpan(i * Features, Features));
            y[i] = Y[indices[i]];
        }

        return new Dataset<T>(x, y, Features);
    }
}
