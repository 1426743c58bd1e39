using System;
using System.Numerics;

namespace Nn.Kernels;

/// <summary>
/// Plain loops for <see cref="BatchNormKernels"/>, one column at a time, written the way CS231n's
/// <c>batchnorm_forward</c> and <c>batchnorm_backward_alt</c> read; the tests hold the fast kernels to these.
/// No argument checks.
/// </summary>
internal static class BatchNormReference
{
    /// <summary>Training forward pass; same contract as <see cref="BatchNormKernels.ForwardTraining"/>.</summary>
    public static void ForwardTraining<T>(
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta,
        Span<T> y,
        Span<T> xhat,
        Span<T> batchMean,
        Span<T> invStd,
        Span<T> runningMean,
        Span<T> runningVar,
        int rows,
        int cols,
        T momentum,
        T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = T.CreateChecked(rows);
        for (var j = 0; j < cols; j++)
        {
            // sample_mean = x.mean(axis=0)
            var sum = T.Zero;
            for (var i = 0; i < rows; i++)
            {
                sum += x[(i * cols) + j];
            }

            var mean = sum / n;

            // sample_var = ((x − sample_mean)²).mean(axis=0)
            var squares = T.Zero;
            for (var i = 0; i < rows; i++)
            {
                var d = x[(i * cols) + j] - mean;
                squares += d * d;
            }

            var variance = squares / n;
            var inv = T.One / T.Sqrt(variance + epsilon);

            // x_hat = (x − sample_mean)/√(sample_var + eps);  out = gamma·x_hat + beta
            for (var i = 0; i < rows; i++)
            {
                var k = (i * cols) + j;
                var normalized = (x[k] - mean) * inv;
                xhat[k] = normalized;
                y[k] = (gamma[j] * normalized) + beta[j];
            }

            batchMean[j] = mean;
            invStd[j] = inv;
            runningMean[j] = (momentum * runningMean[j]) + ((T.One - momentum) * mean);
            runningVar[j] = (momentum * runningVar[j]) + ((T.One - momentum) * variance);
        }
    }

    /// <summary>Inference forward pass; same contract as <see cref="BatchNormKernels.ForwardInference"/>.</summary>
    public static void ForwardInference<T>(
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta,
        ReadOnlySpan<T> runningMean,
        ReadOnlySpan<T> runningVar,
        Span<T> y,
        int rows,
        int cols,
        T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var k = (i * cols) + j;
                y[k] = (gamma[j] * (x[k] - runningMean[j]) / T.Sqrt(runningVar[j] + epsilon)) + beta[j];
            }
        }
    }

    /// <summary>Backward pass; same contract as <see cref="BatchNormKernels.Backward"/>.</summary>
    public static void Backward<T>(
        ReadOnlySpan<T> dy,
        ReadOnlySpan<T> xhat,
        ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> invStd,
        Span<T> dx,
        Span<T> dgamma,
        Span<T> dbeta,
        int rows,
        int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = T.CreateChecked(rows);
        for (var j = 0; j < cols; j++)
        {
            // dbeta = dout.sum(axis=0);  dgamma = (dout·x_hat).sum(axis=0)
            var db = T.Zero;
            var dg = T.Zero;
            for (var i = 0; i < rows; i++)
            {
                db += dy[(i * cols) + j];
                dg += dy[(i * cols) + j] * xhat[(i * cols) + j];
            }

            // dx = (gamma·inv_std/N)·(N·dout − dbeta − x_hat·dgamma)
            var scale = gamma[j] * invStd[j] / n;
            for (var i = 0; i < rows; i++)
            {
                var k = (i * cols) + j;
                dx[k] = scale * ((n * dy[k]) - db - (xhat[k] * dg));
            }

            dgamma[j] = dg;
            dbeta[j] = db;
        }
    }
}
