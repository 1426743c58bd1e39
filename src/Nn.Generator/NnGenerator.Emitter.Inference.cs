using System.Collections.Generic;
using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    internal static partial class Emitter
    {
        private static void EmitForward(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("/// <summary>Runs one sample: <paramref name=\"x\"/> [" + plan.InputSize + "] → <paramref name=\"scores\"/> [" + plan.OutputSize + "]. Allocation-free and thread-safe.</summary>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span's length is not InputSize or OutputSize.</exception>");
            using (w.Block("public void Forward(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> scores)"))
            {
                w.WriteLine(Rt + "Guard.Length(x.Length, InputSize, nameof(x), \"InputSize\");");
                w.WriteLine(Rt + "Guard.Length(scores.Length, OutputSize, nameof(scores), \"OutputSize\");");
                EmitSingleSampleHidden(w, plan);
                w.WriteLine("ForwardOne(x, scores, hidden);");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>Runs a batch: <paramref name=\"x\"/> [batch×" + plan.InputSize + "] → <paramref name=\"scores\"/> [batch×" + plan.OutputSize + "], row-major. Allocation-free after the first call at this batch size on this thread.</summary>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span's length is not batch·InputSize or batch·OutputSize.</exception>");
            using (w.Block("public void Forward(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> scores, int batch)"))
            {
                w.WriteLine(Rt + "Guard.NonNegative(batch, nameof(batch));");
                w.WriteLine(Rt + "Guard.Length(x.Length, batch * InputSize, nameof(x), \"batch·InputSize\");");
                w.WriteLine(Rt + "Guard.Length(scores.Length, batch * OutputSize, nameof(scores), \"batch·OutputSize\");");
                w.WriteLine("ForwardCore(x, scores, batch, " + (plan.HiddenSize == 0 ? "hidden: default" : "NnWorkspace(batch * " + plan.HiddenSize + ")") + ");");
            }

            w.WriteLine();
            EmitForwardCore(w, plan);
            EmitForwardOne(w, plan);
        }

        // The layers, once: used by Forward, Predict and the trainer (which keeps `hidden` for backward).
        private static void EmitForwardCore(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("// Forward pass for N = batch rows. `hidden` holds every value kept between layers back to back,");
            w.WriteLine("// each [N×size]: " + HiddenLayout(plan) + ". The trainer keeps it for the backward pass.");
            using (w.Block("private void ForwardCore(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> scores, int N, " + Span + "<" + t + "> hidden)"))
            {
                EmitHiddenSlices(w, plan, "hidden", string.Empty);
                foreach (var block in plan.Blocks)
                {
                    EmitAffineForward(w, plan, block);
                }
            }

            w.WriteLine();
        }

        // Span<float> h1 = hidden.Slice(0, N * 100);   (or new Span<float>(_hidden, …) for the trainer's arrays)
        private static void EmitHiddenSlices(SourceWriter w, NetworkPlan plan, string buffer, string prefix)
        {
            var before = 0;
            foreach (var value in plan.Hidden)
            {
                var offset = before == 0 ? "0" : "N * " + before;
                var length = "N * " + value.Size;
                var view = buffer.StartsWith("_", System.StringComparison.Ordinal)
                    ? "new " + Span + "<" + plan.T + ">(" + buffer + ", " + offset + ", " + length + ")"
                    : buffer + ".Slice(" + offset + ", " + length + ")";
                w.WriteLine(Span + "<" + plan.T + "> " + prefix + value.Name + " = " + view + ";");
                before += value.Size;
            }
        }

        private static void EmitSingleSampleHidden(SourceWriter w, NetworkPlan plan)
        {
            if (plan.HiddenSize == 0)
            {
                w.WriteLine("// no hidden layers: nothing is kept between layers");
                w.WriteLine(Span + "<" + plan.T + "> hidden = default;");
            }
            else if (plan.HiddenSize <= StackLimit)
            {
                w.WriteLine("// activations of one sample, " + plan.HiddenSize + " values: small enough for the stack");
                w.WriteLine(Span + "<" + plan.T + "> hidden = stackalloc " + plan.T + "[" + plan.HiddenSize + "];");
            }
            else
            {
                w.WriteLine("// activations of one sample, " + plan.HiddenSize + " values: too many for the stack, so this thread's workspace");
                w.WriteLine(Span + "<" + plan.T + "> hidden = NnWorkspace(" + plan.HiddenSize + ");");
            }
        }

        private static void EmitPredict(SourceWriter w, NetworkPlan plan)
        {
            // A regression head has nothing to pick, nor does a single unlabelled output.
            if (plan.Head == LayerKind.MeanSquaredError || (plan.OutputSize == 1 && !plan.IsBinary))
            {
                return;
            }

            EmitPredictOne(w, plan);
            w.WriteLine();
            EmitPredictBatch(w, plan);
            w.WriteLine();
            if (plan.Head is LayerKind.Softmax or LayerKind.Logistic)
            {
                EmitProbabilities(w, plan);
            }
        }

        private static void EmitPredictOne(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine(plan.IsBinary
                ? "/// <summary>The predicted class of one sample: 1 when its score is above 0, else 0.</summary>"
                : "/// <summary>The index of the highest score for one sample (the predicted class).</summary>");
            using (w.Block("public int Predict(" + ReadOnlySpan + "<" + t + "> x)"))
            {
                w.WriteLine(Rt + "Guard.Length(x.Length, InputSize, nameof(x), \"InputSize\");");
                var total = plan.HiddenSize + plan.OutputSize;
                w.WriteLine("// hidden activations and scores of one sample, " + total + " values" + (total <= StackLimit ? ", on the stack" : ", in this thread's workspace"));
                w.WriteLine(Span + "<" + t + "> buffer = " + (total <= StackLimit ? "stackalloc " + t + "[" + total + "]" : "NnWorkspace(" + total + ")") + ";");
                w.WriteLine(Span + "<" + t + "> scores = buffer.Slice(" + plan.HiddenSize + ");");
                w.WriteLine("ForwardOne(x, scores, buffer.Slice(0, " + plan.HiddenSize + "));");
                w.WriteLine(plan.IsBinary
                    ? "return scores[0] > 0 ? 1 : 0;"
                    : "return global::System.Numerics.Tensors.TensorPrimitives.IndexOfMax<" + t + ">(scores);");
            }
        }

        private static void EmitPredictBatch(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("/// <summary>Predicted class of every sample of a batch: <paramref name=\"x\"/> [labels.Length×" + plan.InputSize + "].</summary>");
            using (w.Block("public void Predict(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<int> labels)"))
            {
                w.WriteLine("int N = labels.Length;");
                w.WriteLine(Rt + "Guard.Length(x.Length, N * InputSize, nameof(x), \"labels.Length·InputSize\");");
                w.WriteLine("// hidden activations [N×" + plan.HiddenSize + "] and scores [N×" + plan.OutputSize + "] in this thread's workspace");
                w.WriteLine(Span + "<" + t + "> buffer = NnWorkspace(N * " + (plan.HiddenSize + plan.OutputSize) + ");");
                w.WriteLine(Span + "<" + t + "> scores = buffer.Slice(N * " + plan.HiddenSize + ");");
                w.WriteLine("ForwardCore(x, scores, N, buffer.Slice(0, N * " + plan.HiddenSize + "));");
                if (plan.IsBinary)
                {
                    using (w.Block("for (int i = 0; i < N; i++)"))
                    {
                        w.WriteLine("labels[i] = scores[i] > 0 ? 1 : 0;");
                    }
                }
                else
                {
                    w.WriteLine(Rt + "Reductions.ArgMaxRows<" + t + ">(scores, labels, rows: N, cols: OutputSize);");
                }
            }
        }

        private static void EmitProbabilities(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            var softmax = plan.Head == LayerKind.Softmax;
            w.WriteLine(softmax
                ? "/// <summary>Softmax class probabilities of one sample: p = exp(s − max s) / Σ exp(s − max s).</summary>"
                : "/// <summary>The probability that one sample is of class 1: p = σ(s).</summary>");
            using (w.Block("public void Probabilities(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> probabilities)"))
            {
                w.WriteLine("Forward(x, probabilities);");
                w.WriteLine(softmax
                    ? Rt + "Losses.SoftmaxProbabilities<" + t + ">(probabilities, probabilities, batch: 1, classes: OutputSize);"
                    : Rt + "Losses.LogisticProbabilities<" + t + ">(probabilities, probabilities);");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>" + (softmax ? "Softmax class probabilities" : "Probabilities of class 1") + " of a batch, [batch×" + plan.OutputSize + "].</summary>");
            using (w.Block("public void Probabilities(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> probabilities, int batch)"))
            {
                w.WriteLine("Forward(x, probabilities, batch);");
                w.WriteLine(softmax
                    ? Rt + "Losses.SoftmaxProbabilities<" + t + ">(probabilities, probabilities, batch, classes: OutputSize);"
                    : Rt + "Losses.LogisticProbabilities<" + t + ">(probabilities, probabilities);");
            }

            w.WriteLine();
        }

        private static void EmitWorkspace(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("// One buffer per thread for activations that do not fit on the stack: concurrent calls never share it,");
            w.WriteLine("// and it only grows, so calls after the first at a given size allocate nothing.");
            w.WriteLine("[global::System.ThreadStatic]");
            w.WriteLine("private static " + t + "[]? t_nnWorkspace;");
            w.WriteLine();
            using (w.Block("private static " + Span + "<" + t + "> NnWorkspace(int length)"))
            {
                w.WriteLine("var buffer = t_nnWorkspace;");
                using (w.Block("if (buffer is null || buffer.Length < length)"))
                {
                    w.WriteLine("t_nnWorkspace = buffer = new " + t + "[length];");
                }

                w.WriteLine();
                w.WriteLine("return new " + Span + "<" + t + ">(buffer, 0, length);");
            }
        }

        private static string HiddenLayout(NetworkPlan plan)
        {
            var parts = new List<string>(plan.Hidden.Select(v => v.Name + " [N×" + v.Size + "]"));
            return parts.Count == 0 ? "none (a single linear layer)" : string.Join(" | ", parts);
        }
    }
}
