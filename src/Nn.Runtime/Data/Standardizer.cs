using System;
using System.Linq;

namespace Nn;

/// <summary>
/// Per-feature standardization (CS231n's preprocessing): <c>x' = (x − mean) / std</c>, with the mean and std
/// fitted on the training set only and then applied unchanged to validation and test data.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>The fitted per-feature means.</summary>
    public float[] Mean { get; }

    /// <summary>The fitted per-feature standard deviations, at least the <c>minStd</c> given to <see cref="Fit"/>.</summary>
    public float[] Std { get; }

    /// <summary>Fits mean and std per feature over <paramref name="data"/>'s samples.</summary>
    /// <param name="data">The training set.</param>
    /// <param name="minStd">Floor for the std, so a (nearly) constant feature, like an image's border pixel, is not blown up.</param>
    public static Standardizer Fit(Dataset<float> data, float minStd = 1e-2f)
    {
        ArgumentNullException.ThrowIfNull(data);
        var features = data.Features;
        var sum = new double[features];
        var square = new double[features];
        for (var n = 0; n < data.Count; n++)
        {
            var row = data.Sample(n);
            for (var j = 0; j < features; j++)
            {
                sum[j] += row[j];
                square[j] += (double)row[j] * row[j];
            }
        }

        var mean = new float[features];
        var std = new float[features];
        for (var j = 0; j < features; j++)
        {
            var m = sum[j] / data.Count;
            mean[j] = (float)m;
            std[j] = Math.Max(minStd, (float)Math.Sqrt(Math.Max(0, (square[j] / data.Count) - (m * m))));
        }

        return new Standardizer(mean, std);
    }

    /// <summary>Saves the mean and std as a safetensors file (tensors <c>mean</c> and <c>std</c>), to standardize inputs the same way at inference.</summary>
    public void Save(string path) => Safetensors.Save<float>(path, Mean.Concat(Std).ToArray(), Tensors(Mean.Length), Architecture(Mean.Length));

    /// <summary>Loads a standardizer saved by <see cref="Save"/> for <paramref name="features"/> features.</summary>
    /// <exception cref="System.IO.InvalidDataException">The file is not such a standardizer, or has another feature count.</exception>
    public static Standardizer Load(string path, int features)
    {
        var values = new float[2 * features];
        Safetensors.Load<float>(path, values, Tensors(features), Architecture(features));
        return new Standardizer(values[..features], values[features..]);
    }

    private static TensorInfo[] Tensors(int features) => new[] { new TensorInfo("mean", 0, new[] { features }), new TensorInfo("std", features, new[] { features }) };

    private static string Architecture(int features) => "Standardizer(" + features.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";

    /// <summary>Standardizes every sample of <paramref name="data"/> in place.</summary>
    /// <exception cref="ArgumentException">The data has a different number of features than the fit.</exception>
    public void Transform(Dataset<float> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Transform(data.X);
    }

    /// <summary>Standardizes row-major samples in place.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of the feature count.</exception>
    public void Transform(Span<float> samples)
    {
        if (samples.Length % Mean.Length != 0)
        {
            throw new ArgumentException($"samples has {samples.Length} values, not a multiple of the {Mean.Length} features this standardizer was fitted on.", nameof(samples));
        }

        for (var offset = 0; offset < samples.Length; offset += Mean.Length)
        {
            var row = samples.Slice(offset, Mean.Length);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, Mean, row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, Std, row);
        }
    }
}
