using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nn;

/// <summary>Heads: probabilities and losses over a batch of scores, with their gradients.</summary>
public static class Losses
{
    /// <summary>
    /// Row-wise softmax of <c>[batch×classes]</c> scores: <c>p = exp(s − max s) / Σ exp(s − max s)</c>.
    /// Subtracting the row maximum first keeps <c>exp</c> from overflowing. In place is allowed.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than batch·classes.</exception>
    public static void Softmax<T>(ReadOnlySpan<T> scores, Span<T> probs, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(scores.Length, probs.Length, batch, classes, nameof(probs));
        for (var i = 0; i < batch; i++)
        {
            var row = scores.Slice(i * classes, classes);
            var p = probs.Slice(i * classes, classes);
            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Divide(p, TensorPrimitives.Sum<T>(p), p);
        }
    }

    /// <summary>
    /// Mean softmax cross-entropy <c>−(1/N) Σ log p[y]</c> of <c>[batch×classes]</c> scores, and its gradient
    /// <c>dscores = (p − 1[y]) / N</c>. Computed as <c>log p[y] = (s[y] − max s) − log Σ exp(s − max s)</c>,
    /// so large scores neither overflow nor lose the loss. <paramref name="dscores"/> may be <paramref name="scores"/>.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes); nothing is written then.</exception>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> dscores, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(scores.Length, dscores.Length, batch, classes, nameof(dscores));
        ThrowHelper.AtLeast(labels.Length, batch, nameof(labels), "batch");
        ValidateLabels(labels.Slice(0, batch), classes);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = 0.0;
        var inverseN = T.One / T.CreateChecked(batch);
        for (var i = 0; i < batch; i++)
        {
            var row = scores.Slice(i * classes, classes);
            var d = dscores.Slice(i * classes, classes);
            var y = labels[i];
            var max = TensorPrimitives.Max(row);
            var shiftedCorrect = row[y] - max;            // read before d (maybe the same memory) is written
            TensorPrimitives.Subtract(row, max, d);
            TensorPrimitives.Exp(d, d);
            var sum = TensorPrimitives.Sum<T>(d);
            loss -= double.CreateChecked(shiftedCorrect - T.Log(sum));
            TensorPrimitives.Multiply(d, inverseN / sum, d); // p / N
            d[y] -= inverseN;                                // (p − 1[y]) / N
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>Checks that every label is a class index in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="ArgumentException">A label is out of range; the message names its index and value.</exception>
    public static void ValidateLabels(ReadOnlySpan<int> labels, int classes)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"labels[{i}] is {labels[i]}, expected a class index in [0, {classes})."),
                    nameof(labels));
            }
        }
    }

    private static void CheckShape(int inputLength, int outputLength, int batch, int classes, string outputName)
    {
        ThrowHelper.Dimensions(batch, 1, classes);
        ThrowHelper.AtLeast(inputLength, (long)batch * classes, "scores", "batch·classes");
        ThrowHelper.AtLeast(outputLength, (long)batch * classes, outputName, "batch·classes");
    }
}
