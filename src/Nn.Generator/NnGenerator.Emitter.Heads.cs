using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// One method per head: the loss over the batch's scores and, when <c>gradient</c> is set, <c>dscores</c>.
    /// Without it (Evaluate) the loss-only kernels return the same bits; their scratch is the runtime's own, per thread.
    /// </summary>
    internal static partial class Emitter
    {
        private static void EmitHeadLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            switch (plan.Head)
            {
                case LayerKind.Softmax: EmitSoftmaxLoss(w, plan, gradient); break;
                case LayerKind.Svm when plan.IsBinary: EmitBinarySvmLoss(w, plan, gradient); break;
                case LayerKind.Svm: EmitSvmLoss(w, plan, gradient); break;
                case LayerKind.Logistic: EmitLogisticLoss(w, plan, gradient); break;
                case LayerKind.MeanSquaredError: EmitMeanSquaredErrorLoss(w, plan, gradient); break;
                default: throw new System.InvalidOperationException($"No loss for head {plan.Head}.");
            }
        }

        // (3) Softmax loss: data_loss = −(1/N)·Σ log p[y]; dscores = (p − 1[y]) / N
        private static void EmitSoftmaxLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            var c = plan.OutputSize;
            w.WriteLine($"// {HeadNumber(plan)} Softmax loss: p = softmax(scores) row-wise (max subtracted first, so no overflow)");
            w.WriteLine(gradient
                ? Invariant($"//     data_loss = −(1/N)·Σ log p[y]      dscores = (p − 1[y]) / N    [N×{c}]")
                : "//     data_loss = −(1/N)·Σ log p[y]");
            var tail = gradient ? Invariant($"dscores, batch: N, classes: {c});") : Invariant($"batch: N, classes: {c});");
            w.WriteLine($"{plan.T} dataLoss = {Rt}Losses.SoftmaxCrossEntropy<{plan.T}>(scores, y, {tail}");
        }

        // (3) Binary SVM loss: data_loss = (1/N)·Σ max(0, 1 − t·s), t = 2y − 1
        private static void EmitBinarySvmLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            var dscores = gradient ? "      dscores = −t/N where 1 − t·s > 0, else 0    [N×1]" : string.Empty;
            w.WriteLine($$"""
                // {{HeadNumber(plan)}} Binary SVM loss: t = 2y − 1 ∈ {−1, +1}
                //     data_loss = (1/N)·Σ max(0, 1 − t·s){{dscores}}
                {{plan.T}} dataLoss = {{Rt}}Losses.BinarySvm<{{plan.T}}>(scores, y, {{(gradient ? "dscores, " : string.Empty)}}batch: N);
                """);
        }

        // (3) Multiclass SVM loss: data_loss = (1/N)·Σ_i Σ_{j≠y} max(0, s_j − s_y + 1)
        private static void EmitSvmLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            var c = plan.OutputSize;
            w.WriteLine($$"""
                // {{HeadNumber(plan)}} Multiclass SVM loss (margin 1):
                //     data_loss = (1/N)·Σ_i Σ_{j≠y} max(0, s_j − s_y + 1)
                """);
            if (gradient)
            {
                w.WriteLine($"//     dscores[j] = 1/N for each violated margin j ≠ y;  dscores[y] = −(violations)/N    [N×{c}]");
            }

            var d = gradient ? "dscores, " : string.Empty;
            w.WriteLine($"{plan.T} dataLoss = {Rt}Losses.MulticlassSvm<{plan.T}>(scores, y, {d}batch: N, classes: {c});");
        }

        // (2) Logistic loss: p = σ(s), data_loss = (1/N)·Σ softplus(s) − y·s; dscores = (p − y) / N
        private static void EmitLogisticLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            w.WriteLine($$"""
                // {{HeadNumber(plan)}} Logistic loss: p = σ(s), data_loss = (1/N)·Σ softplus(s) − y·s   \
                    (= −y·log p − (1−y)·log(1−p), stable)
                """);
            if (gradient)
            {
                w.WriteLine("//     dscores = (p − y) / N    [N×1]");
            }

            var d = gradient ? "dscores, " : string.Empty;
            w.WriteLine($"{plan.T} dataLoss = {Rt}Losses.LogisticCrossEntropy<{plan.T}>(scores, y, {d}batch: N);");
        }

        // (3) Mean squared error: data_loss = (1/2N)·Σ ‖scores − y‖²; dscores = (scores − y) / N
        private static void EmitMeanSquaredErrorLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            var c = plan.OutputSize;
            var dscores = gradient ? Invariant($"      dscores = (scores − y) / N    [N×{c}]") : string.Empty;
            w.WriteLine($"// {HeadNumber(plan)} Mean squared error: data_loss = (1/2N)·Σ ‖scores − y‖²{dscores}");
            var tail = gradient ? Invariant($"dscores, batch: N, outputs: {c});") : Invariant($"batch: N, outputs: {c});");
            w.WriteLine($"{plan.T} dataLoss = {Rt}Losses.MeanSquaredError<{plan.T}>(scores, y, {tail}");
        }

        // (3): the head is the step after the last layer.
        private static string HeadNumber(NetworkPlan plan) => Invariant($"({plan.LayerCount + 1})");
    }
}
