using System;
using System.ComponentModel;
using System.Numerics;

namespace Nn.Kernels;

/// <summary>Seeded weight initialization.</summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Initializers
{
    /// <summary>
    /// Fills <paramref name="w"/> with <c>scale · N(0, 1)</c> samples: He is <c>scale = √(2/fan_in)</c>,
    /// Xavier <c>√(1/fan_in)</c>, CS231n's case study <c>0.01</c>.
    /// </summary>
    public static void Gaussian<T>(Span<T> w, T scale, ref Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = scale * T.CreateChecked(rng.NextGaussian());
        }
    }
}
