using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nn;

// The heads' losses without their gradients: what a trainer's Evaluate (validation, test sets) needs. Each one
// runs the same arithmetic in the same order as its gradient twin in Losses.cs, through the helpers at the end
// of this file where the two share more than a line, so the two return the same bits for the same scores
// (LossOnlyKernelTests checks it for every row width 0..256).
public static partial class Losses
{
    /// <summary>
    /// Mean softmax cross-entropy <c>−(1/N) Σ log p[y]</c> of <c>[batch×classes]</c> scores, without the gradient:
    /// the value <see cref="SoftmaxCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int, int)"/> returns.
    /// </summary>
    /// <param name="scores">[batch×classes] row-major.</param>
    /// <param name="labels">At least <paramref name="batch"/> labels in [0, classes).</param>
    /// <param name="batch">Rows N.</param>
    /// <param name="classes">Scores per row.</param>
    /// <param name="workspace">Scratch of at least <paramref name="classes"/> values for one row's exponentials, not overlapping <paramref name="scores"/>; its contents afterwards are unspecified.</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes).</exception>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch, int classes, Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, batch, classes, classes);
        ThrowHelper.AtLeast(workspace.Length, classes, nameof(workspace), "classes");
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = 0.0;
        var exps = workspace.Slice(0, classes);
        for (var i = 0; i < batch; i++)
        {
            loss -= double.CreateChecked(LogProbability(scores.Slice(i * classes, classes), labels[i], exps, out _));
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>
    /// Multiclass SVM loss with margin 1, <c>(1/N) Σ_i Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1)</c>, without the gradient:
    /// the value <see cref="MulticlassSvm{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int, int)"/> returns.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes).</exception>
    public static T MulticlassSvm<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, batch, classes, classes);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = T.Zero;
        var inverseN = T.One / T.CreateChecked(batch);
        for (var i = 0; i < batch; i++)
        {
            var row = scores.Slice(i * classes, classes);
            var y = labels[i];
            var correct = row[y];
            for (var j = 0; j < classes; j++)
            {
                var margin = row[j] - correct + T.One;
                if (j != y && margin > T.Zero)
                {
                    loss += margin;
                }
            }
        }

        return loss * inverseN;
    }

    /// <summary>
    /// Binary SVM loss <c>(1/N) Σ max(0, 1 − t·s)</c>, <c>t = 2y − 1</c>, without the gradient: the value
    /// <see cref="BinarySvm{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int)"/> returns.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is not 0 or 1.</exception>
    public static T BinarySvm<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, batch, 1, classes: 2);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = T.Zero;
        var inverseN = T.One / T.CreateChecked(batch);
        for (var i = 0; i < batch; i++)
        {
            var t = labels[i] == 1 ? T.One : -T.One;
            var margin = T.One - (t * scores[i]);
            loss += margin > T.Zero ? margin : T.Zero;
        }

        return loss * inverseN;
    }

    /// <summary>
    /// Logistic loss <c>(1/N) Σ softplus(s) − y·s</c> (binary cross-entropy of <c>p = σ(s)</c>), without the gradient:
    /// the value <see cref="LogisticCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int)"/> returns.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is not 0 or 1.</exception>
    public static T LogisticCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, batch, 1, classes: 2);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = 0.0;
        for (var i = 0; i < batch; i++)
        {
            loss += LogisticLoss(double.CreateChecked(scores[i]), labels[i]);
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>
    /// Regression loss <c>(1/2N) Σ_i ‖s_i − t_i‖²</c> without the gradient: the value
    /// <see cref="MeanSquaredError{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int)"/> returns.
    /// </summary>
    /// <param name="scores">Predictions, [batch×outputs] row-major.</param>
    /// <param name="targets">Targets, same shape.</param>
    /// <param name="batch">Rows N.</param>
    /// <param name="outputs">Values per row.</param>
    /// <param name="workspace">Scratch of at least batch·outputs values for the differences (one vectorized pass for them, one for their squares); its contents afterwards are unspecified.</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is shorter than batch·outputs.</exception>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> targets, int batch, int outputs, Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(scores.Length, workspace.Length, batch, outputs, nameof(workspace));
        ThrowHelper.AtLeast(targets.Length, (long)batch * outputs, nameof(targets), "batch·outputs");
        return batch == 0 ? T.Zero : HalfMeanSquaredError(scores, targets, workspace.Slice(0, batch * outputs), batch);
    }

    // log p[y] of one row, computed as (s[y] − max s) − log Σ exp(s − max s). Leaves exp(s − max s) in exps (which may
    // be the row itself, as in-place SoftmaxCrossEntropy does) and returns their sum for the gradient.
    private static T LogProbability<T>(ReadOnlySpan<T> row, int y, Span<T> exps, out T sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var max = TensorPrimitives.Max(row);
        var shiftedCorrect = row[y] - max;            // read before exps (maybe the same memory) is written
        TensorPrimitives.Subtract(row, max, exps);
        TensorPrimitives.Exp(exps, exps);
        sum = TensorPrimitives.Sum<T>(exps);
        return shiftedCorrect - T.Log(sum);
    }

    // softplus(s) − y·s with softplus(s) = max(s, 0) + log1p(exp(−|s|)): neither overflows nor loses precision for large |s|.
    private static double LogisticLoss(double s, int y) => Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - (y * s);

    // (1/2N)·Σ (s − t)², leaving s − t in difference (length batch·outputs).
    private static T HalfMeanSquaredError<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> targets, Span<T> difference, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var length = difference.Length;
        TensorPrimitives.Subtract(scores.Slice(0, length), targets.Slice(0, length), difference);
        return TensorPrimitives.SumOfSquares<T>(difference) / T.CreateChecked(2 * batch);
    }

    // Shapes first, then every label, for the kernels that write no gradient.
    private static void CheckLabelled(int scoresLength, ReadOnlySpan<int> labels, int batch, int outputs, int classes)
    {
        ThrowHelper.Dimensions(batch, 1, outputs);
        ThrowHelper.AtLeast(scoresLength, (long)batch * outputs, "scores", "batch·classes");
        ThrowHelper.AtLeast(labels.Length, batch, nameof(labels), "batch");
        ValidateLabels(labels.Slice(0, batch), classes);
    }
}
