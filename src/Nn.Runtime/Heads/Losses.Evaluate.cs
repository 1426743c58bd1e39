using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nn.Kernels;

// The heads' losses without their gradients: what a trainer's Evaluate (validation, test sets) needs. Each one
// runs the same arithmetic in the same order as its gradient twin in Losses.cs, through the helpers at the end
// of this file where the two share more than a line, so the two return the same bits for the same scores
// (LossOnlyKernelTests checks it for every row width 0..256). Their scratch (the exponentials of a chunk of rows,
// the differences of the regression head) is this thread's, in Scratch<T>, so callers pass none.
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
    /// <returns>The mean loss over the batch.</returns>
    /// <remarks>
    /// The exponentials of up to 256 rows at once go to this thread's scratch of min(batch, 256)·classes values,
    /// allocated the first time the thread needs that many: later calls of the same size or smaller allocate nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabelled(scores.Length, labels, batch, classes, classes);
        if (batch == 0)
        {
            return T.Zero;
        }

        var workspace = Scratch<T>.Get(Math.Min(batch, ChunkRows) * classes);
        var loss = 0.0;
        Span<T> sums = stackalloc T[ChunkRows];
        for (var first = 0; first < batch; first += ChunkRows)
        {
            var rows = Math.Min(ChunkRows, batch - first);
            ShiftedExponentials(scores.Slice(first * classes, rows * classes), labels.Slice(first, rows), workspace.Slice(0, rows * classes), sums.Slice(0, rows), classes, ref loss);
            AddLogs(sums.Slice(0, rows), ref loss);
        }

        return T.CreateChecked(loss / batch);
    }

    /// <summary>
    /// Multiclass SVM loss with margin 1, <c>(1/N) Σ_i Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1)</c>, without the gradient:
    /// the value <see cref="MulticlassSvm{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int, int)"/> returns.
    /// </summary>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">A span is too short, or a label is outside [0, classes).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    /// <returns>The mean loss over the batch.</returns>
    /// <remarks>
    /// The differences (one vectorized pass for them, one for their squares) go to this thread's scratch of
    /// batch·outputs values, allocated the first time the thread needs that many: later calls of the same size or
    /// smaller allocate nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">A span is shorter than batch·outputs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T MeanSquaredError<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> targets, int batch, int outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.Dimensions(batch, 1, outputs);
        ThrowHelper.AtLeast(scores.Length, (long)batch * outputs, nameof(scores), "batch·classes");   // as CheckShape words it
        ThrowHelper.AtLeast(targets.Length, (long)batch * outputs, nameof(targets), "batch·outputs");
        return batch == 0 ? T.Zero : HalfMeanSquaredError(scores, targets, Scratch<T>.Get(batch * outputs), batch);
    }

    // One chunk of rows: exps = exp(s − max s) row by row (one vectorized Exp for the whole chunk), sums[r] = Σ of row
    // r's exponentials, and loss −= Σ_r (s[y] − max s). exps may be the scores themselves (in-place SoftmaxCrossEntropy):
    // each row's max and s[y] are read before the row is written.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShiftedExponentials<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, Span<T> exps, Span<T> sums, int classes, ref double loss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < labels.Length; r++)
        {
            var row = scores.Slice(r * classes, classes);
            var max = classes <= SmallRow ? MaxOf(row) : Elementwise.Max(row);
            loss -= double.CreateChecked(row[labels[r]] - max);
            SubtractInto(row, max, exps.Slice(r * classes, classes));
        }

        Elementwise.Exp<T>(exps, exps);
        for (var r = 0; r < labels.Length; r++)
        {
            var e = exps.Slice(r * classes, classes);
            sums[r] = classes <= SmallRow ? SumOf<T>(e) : Elementwise.Sum<T>(e);
        }
    }

    // loss += Σ log sums[r], the logarithms in one vectorized pass (sums is overwritten).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddLogs<T>(Span<T> sums, ref double loss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Elementwise.Log<T>(sums, sums);
        foreach (var log in sums)
        {
            loss += double.CreateChecked(log);
        }
    }

    // softplus(s) − y·s with softplus(s) = max(s, 0) + log1p(exp(−|s|)): neither overflows nor loses precision for large |s|.
    private static double LogisticLoss(double s, int y) => Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - (y * s);

    // (1/2N)·Σ (s − t)², leaving s − t in difference (length batch·outputs).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T HalfMeanSquaredError<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> targets, Span<T> difference, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var length = difference.Length;
        Elementwise.Subtract(scores.Slice(0, length), targets.Slice(0, length), difference);
        return Elementwise.SumOfSquares<T>(difference) / T.CreateChecked(2 * batch);
    }

    // Shapes first, then every label, for the kernels that write no gradient.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLabelled(int scoresLength, ReadOnlySpan<int> labels, int batch, int outputs, int classes)
    {
        ThrowHelper.Dimensions(batch, 1, outputs);
        ThrowHelper.AtLeast(scoresLength, (long)batch * outputs, "scores", "batch·classes");
        ThrowHelper.AtLeast(labels.Length, batch, nameof(labels), "batch");
        ValidateLabels(labels.Slice(0, batch), classes);
    }

    /// <summary>
    /// This thread's scratch for the loss-only kernels: one array per element type that only grows, so a thread
    /// allocates when it first needs more values than before and never after.
    /// </summary>
    private static class Scratch<T>
    {
        [ThreadStatic]
        private static T[]? t_buffer;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Span<T> Get(int length)
        {
            var buffer = t_buffer;
            if (buffer is null || buffer.Length < length)
            {
                t_buffer = buffer = new T[length];
            }

            return buffer.AsSpan(0, length);
        }
    }
}
