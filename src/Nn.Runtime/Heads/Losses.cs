using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// Heads: probabilities and losses over a batch of scores, with their gradients. The same losses without
/// their gradients, for evaluation, are in Losses.Evaluate.cs.
/// </summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Losses
{
    /// <summary>
    /// Row-wise softmax of <c>[batch×classes]</c> scores: <c>p = exp(s − max s) / Σ exp(s − max s)</c>.
    /// Subtracting the row maximum first keeps <c>exp</c> from overflowing. In place is allowed.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than batch·classes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxProbabilities<T>(ReadOnlySpan<T> scores, Span<T> probs, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(scores.Length, probs.Length, batch, classes, nameof(probs));
        for (var i = 0; i < batch && classes > 0; i++)   // rows of 0 classes: nothing to write (Max of an empty row throws)
        {
            var row = scores.Slice(i * classes, classes);
            var p = probs.Slice(i * classes, classes);
            var max = Elementwise.Max(row);
            Elementwise.Subtract(row, max, p);
            Elementwise.Exp<T>(p, p);
            Elementwise.Divide<T>(p, Elementwise.Sum<T>(p), p);
        }
    }

    /// <summary>
    /// Mean softmax cross-entropy <c>−(1/N) Σ log p[y]</c> of <c>[batch×classes]</c> scores, and its gradient
    /// <c>dscores = (p − 1[y]) / N</c>. Computed as <c>log p[y] = (s[y] − max s) − log Σ exp(s − max s)</c>,
    /// so large scores neither overflow nor lose the loss. <paramref name="dscores"/> may be <paramref name="scores"/>.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes); nothing is written then.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> dscores, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, dscores.Length, batch, classes, classes);
        if (batch == 0)
        {
            return T.Zero;
        }

        // Row by row, an Exp and T.Log on 3 or 10 values ran as scalar libm calls: 18 % of a 2-100-3
        // training step (perf, batch 64). So the rows of a chunk are shifted first, exponentiated in one vectorized
        // pass, and their sums' logarithms taken in another (one C library log per row, in Elementwise.Log: vectorized by
        // TensorPrimitives, that pass started as tier-0 code); rows narrower than SmallRow use plain loops, not calls.
        var loss = 0.0;
        var inverseN = T.One / T.CreateChecked(batch);
        Span<T> logSums = stackalloc T[ChunkRows];
        for (var first = 0; first < batch; first += ChunkRows)
        {
            var rows = Math.Min(ChunkRows, batch - first);
            var chunk = dscores.Slice(first * classes, rows * classes);
            var sums = logSums.Slice(0, rows);
            ShiftedExponentials(scores.Slice(first * classes, rows * classes), labels.Slice(first, rows), chunk, sums, classes, ref loss);
            for (var r = 0; r < rows; r++)
            {
                var d = chunk.Slice(r * classes, classes);
                ScaleInPlace(d, inverseN / sums[r]);                  // p / N
                d[labels[first + r]] -= inverseN;                     // (p − 1[y]) / N
            }

            AddLogs(sums, ref loss);
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>
    /// Multiclass SVM loss (Weston–Watkins) with margin 1: <c>(1/N) Σ_i Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1)</c>.
    /// Gradient: <c>1/N</c> on every <c>j</c> whose margin is violated, minus their count / N on <c>y_i</c>.
    /// <paramref name="dscores"/> may be <paramref name="scores"/>.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes); nothing is written then.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T MulticlassSvm<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> dscores, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, dscores.Length, batch, classes, classes);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = T.Zero;
        var inverseN = T.One / T.CreateChecked(batch);
        for (var i = 0; i < batch; i++)
        {
            var row = scores.Slice(i * classes, classes);
            var d = dscores.Slice(i * classes, classes);
            var y = labels[i];
            var correct = row[y];
            var violated = 0;
            for (var j = 0; j < classes; j++)
            {
                var margin = row[j] - correct + T.One;
                if (j != y && margin > T.Zero)
                {
                    loss += margin;
                    violated++;
                    d[j] = inverseN;
                }
                else
                {
                    d[j] = T.Zero;
                }
            }

            d[y] = -T.CreateChecked(violated) * inverseN;
        }

        return loss * inverseN;
    }

    /// <summary>
    /// Binary SVM on one score per sample: labels 0 and 1 are read as <c>t = −1</c> and <c>+1</c>, loss
    /// <c>(1/N) Σ max(0, 1 − t·s)</c>, gradient <c>−t/N</c> where the margin is violated.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is not 0 or 1; nothing is written then.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T BinarySvm<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> dscores, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, dscores.Length, batch, 1, classes: 2);
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
            dscores[i] = margin > T.Zero ? -t * inverseN : T.Zero;
        }

        return loss * inverseN;
    }

    /// <summary>
    /// Binary logistic regression on one score per sample: <c>p = σ(s)</c>, loss <c>(1/N) Σ −y·log p − (1−y)·log(1−p)</c>
    /// computed as <c>softplus(s) − y·s</c> with <c>softplus(s) = max(s, 0) + log1p(exp(−|s|))</c>, which neither
    /// overflows nor loses precision for large |s|; gradient <c>(σ(s) − y) / N</c>.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is not 0 or 1; nothing is written then.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T LogisticCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> dscores, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, dscores.Length, batch, 1, classes: 2);
        if (batch == 0)
        {
            return T.Zero;
        }

        var loss = 0.0;
        var inverseN = T.One / T.CreateChecked(batch);
        for (var i = 0; i < batch; i++)
        {
            var s = double.CreateChecked(scores[i]);
            var y = labels[i];
            loss += LogisticLoss(s, y);
            var p = s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));
            dscores[i] = (T.CreateChecked(p) - T.CreateChecked(y)) * inverseN;
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>
    /// Regression loss <c>(1/2N) Σ_i ‖s_i − t_i‖²</c> over <c>[batch×outputs]</c> predictions and targets; gradient
    /// <c>(s − t) / N</c>. <paramref name="dscores"/> may be <paramref name="scores"/>.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is shorter than batch·outputs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T MeanSquaredError<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> targets, Span<T> dscores, int batch, int outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(scores.Length, dscores.Length, batch, outputs, nameof(dscores));
        ThrowHelper.AtLeast(targets.Length, (long)batch * outputs, nameof(targets), "batch·outputs");
        if (batch == 0)
        {
            return T.Zero;
        }

        var d = dscores.Slice(0, batch * outputs);
        var loss = HalfMeanSquaredError(scores, targets, d, batch);   // leaves scores − targets in d
        Elementwise.Divide<T>(d, T.CreateChecked(batch), d);
        return loss;
    }

    /// <summary>Logistic probability of class 1, <c>p = σ(s)</c>, in place allowed.</summary>
    /// <exception cref="ArgumentException"><paramref name="probs"/> is shorter than <paramref name="scores"/>.</exception>
    public static void LogisticProbabilities<T>(ReadOnlySpan<T> scores, Span<T> probs)
        where T : unmanaged, IFloatingPointIeee754<T> => Activations.SigmoidForward(scores, probs);

    /// <summary>Checks that every label is a class index in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="ArgumentException">A label is out of range; the message names its index and value.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    // Shapes first, then every label, all before anything is written.
    // Rows per chunk of SoftmaxCrossEntropy: its log-sums live on the stack (2 KB for double).
    private const int ChunkRows = 256;

    // Up to this many classes a row is handled by plain loops: a call costs more than the row.
    private const int SmallRow = 16;

    // NaN propagates as in Elementwise.Max (and TensorPrimitives.Max).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T MaxOf<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var max = row[0];
        for (var j = 1; j < row.Length; j++)
        {
            max = T.Max(max, row[j]);
        }

        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T SumOf<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sum = T.Zero;
        foreach (var v in row)
        {
            sum += v;
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractInto<T>(ReadOnlySpan<T> row, T value, Span<T> into)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length > SmallRow)
        {
            Elementwise.Subtract(row, value, into);
            return;
        }

        for (var j = 0; j < row.Length; j++)
        {
            into[j] = row[j] - value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleInPlace<T>(Span<T> row, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length > SmallRow)
        {
            Elementwise.Multiply<T>(row, factor, row);
            return;
        }

        for (var j = 0; j < row.Length; j++)
        {
            row[j] *= factor;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLabelled(int scoresLength, ReadOnlySpan<int> labels, int dscoresLength, int batch, int outputs, int classes)
    {
        CheckShape(scoresLength, dscoresLength, batch, outputs, "dscores");
        ThrowHelper.AtLeast(labels.Length, batch, nameof(labels), "batch");
        ValidateLabels(labels.Slice(0, batch), classes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckShape(int inputLength, int outputLength, int batch, int classes, string outputName)
    {
        ThrowHelper.Dimensions(batch, 1, classes);
        ThrowHelper.AtLeast(inputLength, (long)batch * classes, "scores", "batch·classes");
        ThrowHelper.AtLeast(outputLength, (long)batch * classes, outputName, "batch·classes");
    }
}
