using System;

namespace Nn;

/// <summary>CS231n's gradient check: compare an analytic gradient with a centered numeric one.</summary>
public static class GradientCheck
{
    /// <summary>
    /// Numeric gradient of <paramref name="loss"/> with respect to every entry of <paramref name="parameters"/>:
    /// <c>(f(p + h) − f(p − h)) / 2h</c>, one entry at a time, each restored afterwards. <paramref name="loss"/>
    /// must read the same memory as <paramref name="parameters"/> (typically a network's Parameters array).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="numericGradient"/> is not as long as <paramref name="parameters"/>.</exception>
    public static void Numeric(Span<double> parameters, Func<double> loss, Span<double> numericGradient, double h = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ThrowHelper.Exactly(numericGradient.Length, parameters.Length, nameof(numericGradient), "parameters.Length");
        for (var i = 0; i < parameters.Length; i++)
        {
            var saved = parameters[i];
            parameters[i] = saved + h;
            var plus = loss();
            parameters[i] = saved - h;
            var minus = loss();
            parameters[i] = saved;
            numericGradient[i] = (plus - minus) / (2 * h);
        }
    }

    /// <summary>
    /// The largest <c>|a − n| / max(|a| + |n|, floor)</c> over all entries. CS231n: above 1e-2 the gradient is
    /// probably wrong; below 1e-7, in double precision, it is right.
    /// </summary>
    /// <remarks>
    /// The floor keeps entries whose true gradient is 0 or nearly (a hinge's bias gradient often cancels exactly)
    /// from failing on the numeric gradient's own rounding noise, about <c>ε·|f| / h</c> ≈ 1e-11 for h = 1e-5:
    /// with the default floor of 1e-3, such entries must agree to 1e-10 absolutely, the others to 1e-7 relatively.
    /// </remarks>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double MaxRelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric, double floor = 1e-3)
    {
        ThrowHelper.Exactly(numeric.Length, analytic.Length, nameof(numeric), "analytic.Length");
        var max = 0.0;
        for (var i = 0; i < analytic.Length; i++)
        {
            var denominator = Math.Max(Math.Abs(analytic[i]) + Math.Abs(numeric[i]), floor);
            var error = Math.Abs(analytic[i] - numeric[i]) / denominator;
            max = Math.Max(max, double.IsNaN(error) ? double.PositiveInfinity : error);
        }

        return max;
    }
}
