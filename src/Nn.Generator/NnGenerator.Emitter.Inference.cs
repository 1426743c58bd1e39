using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>Inference: Forward for one sample and for a batch, ForwardCore, Predict, Probabilities, the per-thread workspace.</summary>
    internal static partial class Emitter
    {
        // On the members that run per call (Forward, ForwardCore, ForwardOne, Predict, Probabilities, NnWorkspace, the trainer's
        // Loss, Evaluate and Step) and on the runtime kernels they call: compiled optimized at the first call instead of tier 0
        // first, so a fresh process runs at its steady speed from its first call and tiering allocates nothing later
        // (docs/benchmarks.md, "Cold start").
        internal const string Hot =
            "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private static void EmitForward(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t), input = ReadOnlySpanOf(t);
            w.WriteLine($$"""
                // Optimized at its first call, like every member that runs per call: no tier-0 code, nothing re-compiled later.
                /// <summary>Runs one sample: <paramref name="x"/> [{{plan.InputSize}}] → <paramref name="scores"/> [{{plan.OutputSize}}]. \
                    Allocation-free and thread-safe.</summary>
                /// <exception cref="global::System.ArgumentException">A span's length is not InputSize or OutputSize.</exception>
                {{Hot}}
                """);
            using (w.Block($"public void Forward({input} x, {span} scores)"))
            {
                w.WriteLine($$"""
                    {{Rt}}Guard.Length(x.Length, InputSize, nameof(x), "InputSize");
                    {{Rt}}Guard.Length(scores.Length, OutputSize, nameof(scores), "OutputSize");
                    """);
                EmitSingleSampleHidden(w, plan);
                w.WriteLine("ForwardOne(x, scores, hidden);");
            }

            // the workspace's length in 64 bits, checked before anything is allocated
            var length = Invariant($"{Rt}Guard.WorkspaceLength((long)batch * {plan.HiddenSize}, nameof(batch), \"batch·{plan.HiddenSize}\")");
            var hidden = plan.HiddenSize == 0 ? "hidden: default" : $"NnWorkspace({length})";
            w.WriteLine($$"""

                /// <summary>Runs a batch: <paramref name="x"/> [batch×{{plan.InputSize}}] → <paramref name="scores"/> \
                    [batch×{{plan.OutputSize}}], row-major. Allocation-free after the first call at this batch size on this thread.</summary>
                /// <exception cref="global::System.ArgumentException">A span's length is not batch·InputSize or batch·OutputSize.</exception>
                {{Hot}}
                public void Forward({{input}} x, {{span}} scores, int batch)
                {
                    {{Rt}}Guard.NonNegative(batch, nameof(batch));
                    {{Rt}}Guard.Length(x.Length, (long)batch * InputSize, nameof(x), "batch·InputSize");
                    {{Rt}}Guard.Length(scores.Length, (long)batch * OutputSize, nameof(scores), "batch·OutputSize");
                    ForwardCore(x, scores, batch, {{hidden}});
                }

                """);
            EmitForwardCore(w, plan);
            EmitForwardOne(w, plan);
        }

        // The layers, once: used by Forward, Predict and the trainer (which keeps `hidden` for backward).
        private static void EmitForwardCore(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            w.WriteLine($$"""
                // Forward pass for N = batch rows. `hidden` holds every value kept between layers back to back,
                // each [N×size]: {{HiddenLayout(plan)}}. The trainer keeps it for the backward pass.
                {{Hot}}
                """);
            using (w.Block($"private void ForwardCore({ReadOnlySpanOf(t)} x, {span} scores, int N, {span} hidden)"))
            {
                EmitViewLocals(w, plan, "this", string.Empty, withState: true);
                EmitHiddenSlices(w, plan, "hidden", string.Empty);
                foreach (var block in plan.Blocks)
                {
                    EmitAffineForward(w, plan, block);
                }
            }

            w.WriteLine();
        }

        // Span<float> W1 = this.W1, b1 = this.b1,
        //     W2 = this.W2, b2 = this.b2;   (or dW1 = this.dW1, … for the trainer's gradients)
        // Every view a hot member reads, first: the JIT inlines calls in order until its budget for the method runs out (in
        // 784-512-512-10's Forward, after two layers' Gemv), and a getter it left as a call ran as tier-0 code for ~200 ms.
        private static void EmitViewLocals(SourceWriter w, NetworkPlan plan, string owner, string prefix, bool withState)
        {
            var tensors = plan.Blocks.Select(b => string.Join(", ", (withState ? b.Tensors.Concat(b.State) : b.Tensors)
                .Select(p => $"{prefix}{p.Name} = {owner}.{prefix}{p.Name}")));
            w.WriteLine($"{SpanOf(plan.T)} {string.Join(",\n    ", tensors)};   // views first (inlined while the JIT's budget lasts)");
        }

        // Span<float> h1 = hidden.Slice(0, N * 100);   (or new Span<float>(_hidden, …) for the trainer's arrays)
        private static void EmitHiddenSlices(SourceWriter w, NetworkPlan plan, string buffer, string prefix)
        {
            var span = SpanOf(plan.T);
            var before = 0;
            foreach (var value in plan.Hidden)
            {
                var offset = before == 0 ? "0" : Invariant($"N * {before}");
                var length = Invariant($"N * {value.Size}");
                var view = buffer.StartsWith("_", System.StringComparison.Ordinal)
                    ? $"new {span}({buffer}, {offset}, {length})"
                    : $"{buffer}.Slice({offset}, {length})";
                w.WriteLine($"{span} {prefix}{value.Name} = {view};");
                before += value.Size;
            }
        }

        // Span<float> hidden = stackalloc float[100];   (or default, or this thread's workspace)
        private static void EmitSingleSampleHidden(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            var size = plan.HiddenSize;
            if (size == 0)
            {
                w.WriteLine($"""
                    // no hidden layers: nothing is kept between layers
                    {span} hidden = default;
                    """);
            }
            else if (size <= StackLimit)
            {
                w.WriteLine($"""
                    // activations of one sample, {size} values: small enough for the stack
                    {span} hidden = stackalloc {t}[{size}];
                    """);
            }
            else
            {
                w.WriteLine($"""
                    // activations of one sample, {size} values: too many for the stack, so this thread's workspace
                    {span} hidden = NnWorkspace({size});
                    """);
            }
        }

        // Predict(x) and Predict(x, labels): argmax of the scores, or score > 0 for one binary output.
        private static void EmitPredict(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t), input = ReadOnlySpanOf(t);
            var total = plan.HiddenSize + plan.OutputSize;
            var (where, buffer) = total <= StackLimit
                ? (", on the stack", Invariant($"stackalloc {t}[{total}]"))
                : (", in this thread's workspace", Invariant($"NnWorkspace({total})"));
            var pick = plan.IsBinary ? "scores[0] > 0 ? 1 : 0" : $"global::Nn.Kernels.Elementwise.IndexOfMax<{t}>(scores)";
            w.WriteLine(plan.IsBinary
                ? "/// <summary>The predicted class of one sample: 1 when its score is above 0, else 0.</summary>"
                : "/// <summary>The index of the highest score for one sample (the predicted class).</summary>");
            w.WriteLine($$"""
                {{Hot}}
                public int Predict({{input}} x)
                {
                    {{Rt}}Guard.Length(x.Length, InputSize, nameof(x), "InputSize");
                    // hidden activations and scores of one sample, {{total}} values{{where}}
                    {{span}} buffer = {{buffer}};
                    {{span}} scores = buffer.Slice({{plan.HiddenSize}});
                    ForwardOne(x, scores, buffer.Slice(0, {{plan.HiddenSize}}));
                    return {{pick}};
                }

                /// <summary>Predicted class of every sample of a batch: <paramref name="x"/> [labels.Length×{{plan.InputSize}}].</summary>
                {{Hot}}
                """);
            using (w.Block($"public void Predict({input} x, global::System.Span<int> labels)"))
            {
                w.WriteLine($$"""
                    int N = labels.Length;
                    {{Rt}}Guard.Length(x.Length, (long)N * InputSize, nameof(x), "labels.Length·InputSize");
                    // hidden activations [N×{{plan.HiddenSize}}] and scores [N×{{plan.OutputSize}}] in this thread's workspace
                    {{span}} buffer = NnWorkspace({{Rt}}Guard.WorkspaceLength((long)N * {{total}}, nameof(labels), "labels.Length·{{total}}"));
                    {{span}} scores = buffer.Slice(N * {{plan.HiddenSize}});
                    ForwardCore(x, scores, N, buffer.Slice(0, N * {{plan.HiddenSize}}));
                    """);
                if (plan.IsBinary)
                {
                    using (w.Block("for (int i = 0; i < N; i++)"))
                    {
                        w.WriteLine("labels[i] = scores[i] > 0 ? 1 : 0;");
                    }
                }
                else
                {
                    w.WriteLine($"{Rt}Reductions.ArgMaxRows<{t}>(scores, labels, rows: N, cols: OutputSize);");
                }
            }

            w.WriteLine();
        }

        // Probabilities(x, p) and Probabilities(x, p, batch): softmax, or σ for a logistic head.
        private static void EmitProbabilities(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t), input = ReadOnlySpanOf(t);
            var softmax = plan.Head == LayerKind.Softmax;
            var (one, batch) = softmax
                ? ("Softmax class probabilities of one sample: p = exp(s − max s) / Σ exp(s − max s).", "Softmax class probabilities")
                : ("The probability that one sample is of class 1: p = σ(s).", "Probabilities of class 1");
            var softmaxOne = $"{Rt}Losses.SoftmaxProbabilities<{t}>(probabilities, probabilities, batch: 1, classes: OutputSize);";
            var softmaxBatch = $"{Rt}Losses.SoftmaxProbabilities<{t}>(probabilities, probabilities, batch, classes: OutputSize);";
            var logistic = $"{Rt}Losses.LogisticProbabilities<{t}>(probabilities, probabilities);";
            w.WriteLine($$"""
                /// <summary>{{one}}</summary>
                {{Hot}}
                public void Probabilities({{input}} x, {{span}} probabilities)
                {
                    Forward(x, probabilities);
                    {{(softmax ? softmaxOne : logistic)}}
                }

                /// <summary>{{batch}} of a batch, [batch×{{plan.OutputSize}}].</summary>
                {{Hot}}
                public void Probabilities({{input}} x, {{span}} probabilities, int batch)
                {
                    Forward(x, probabilities, batch);
                    {{(softmax ? softmaxBatch : logistic)}}
                }

                """);
        }

        // [ThreadStatic] t_nnWorkspace and NnWorkspace(length), which grows it.
        private static void EmitWorkspace(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            w.WriteLine($$"""
                // One buffer per thread for activations that do not fit on the stack: concurrent calls never share it,
                // and it only grows, so calls after the first at a given size allocate nothing.
                [global::System.ThreadStatic]
                private static {{t}}[]? t_nnWorkspace;

                {{Hot}}
                private static {{span}} NnWorkspace(int length)
                {
                    var buffer = t_nnWorkspace;
                    if (buffer is null || buffer.Length < length)
                    {
                        t_nnWorkspace = buffer = new {{t}}[length];
                    }

                    return new {{span}}(buffer, 0, length);
                }
                """);
        }

        // h1 [N×100] | h2 [N×100]
        private static string HiddenLayout(NetworkPlan plan) =>
            plan.Hidden.Count == 0
                ? "none (a single linear layer)"
                : string.Join(" | ", plan.Hidden.Select(v => Invariant($"{v.Name} [N×{v.Size}]")));
    }
}
