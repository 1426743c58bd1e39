using System.Collections.Generic;
using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// The one-sample forward pass: the same layers as ForwardCore, each Affine a call to <c>Gemv.Forward</c>.
    /// Which kernel runs is the runtime's choice, made for the layer's shape and the machine's vector width.
    /// </summary>
    internal static partial class Emitter
    {
        // private void ForwardOne(ReadOnlySpan<float> x, Span<float> scores, Span<float> hidden) { … }
        private static void EmitForwardOne(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            w.WriteLine($$"""
                // Forward pass for one sample, behind Forward(x, scores), Predict(x) and Probabilities(x, p); `hidden` holds {{OneSampleLayout(plan)}}.
                // At batch 1 an Affine layer is a matrix-vector product bound by reading W once: each calls the Gemv kernel chosen
                // for its number of outputs (on machines without AVX-512 the Gemv entries run Gemm.MatMul with m = 1).
                """);
            using (w.Block($"private void ForwardOne({ReadOnlySpanOf(t)} x, {span} scores, {span} hidden)"))
            {
                var before = 0;
                foreach (var value in plan.Hidden)
                {
                    // Span<float> h1 = hidden.Slice(0, 100);
                    w.WriteLine($"{span} {value.Name} = hidden.Slice({before}, {value.Size});");
                    before += value.Size;
                }

                foreach (var block in plan.Blocks)
                {
                    EmitAffineForwardOne(w, plan, block);
                }
            }

            w.WriteLine();
        }

        // (1) Affine 1 + ReLU: h1 = max(0, x·W1 + b1)    [1×100] = [1×2]·[2×100]
        // Gemv.Forward<float>(x, W1, b1, h1, k: 2, n: 100, epilogue: Epilogue.Relu);
        private static void EmitAffineForwardOne(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            var epilogue = b.FusedRelu ? $", epilogue: {Rt}Epilogue.Relu" : string.Empty;
            w.WriteLine($$"""
                // {{AffineTitle(b)}}: {{b.AffineOutput.Name}} = {{AffineMath(b)}}    [1×{{b.Out}}] = [1×{{b.In}}]·[{{b.In}}×{{b.Out}}]
                // {{WhyGemv(b, plan.T)}}
                {{Rt}}Gemv.{{ChooseGemv(b.Out, Lanes(plan.T))}}<{{plan.T}}>({{b.Input.Name}}, {{b.W}}, {{b.B}}, {{b.AffineOutput.Name}}, k: {{b.In}}, n: {{b.Out}}{{epilogue}});
                """);
            if (b.FusedRelu)
            {
                return;
            }

            foreach (var stage in b.Stages)
            {
                EmitStageForward(w, plan, stage, "1");
            }
        }

        private static string ChooseGemv(int n, int lanes) => n <= lanes / 2 ? "Packed" : n < lanes ? "Narrow" : "Wide";

        private static int Lanes(string t) => t == "double" ? 8 : 16;

        private static string WhyGemv(AffineBlock b, string t)
        {
            var lanes = Lanes(t);
            switch (ChooseGemv(b.Out, lanes))
            {
                case "Packed":
                    var rows = lanes / b.Out;
                    return Invariant($"batch 1, {b.Out} output{(b.Out == 1 ? "" : "s")} of {lanes} lanes: Gemv.Packed reads {rows} rows of {b.W} per 512-bit vector ({rows * b.Out} lanes used), {Ceiling(b.In, rows)} vectors for {b.In} rows, x spread to match");
                case "Narrow":
                    return Invariant($"batch 1, {b.Out} outputs of {lanes} lanes: Gemv.Narrow reads each row of {b.W} as one masked 512-bit vector, 4 k-chains");
                default:
                    var vectors = Ceiling(b.Out, lanes);
                    var passes = Ceiling(vectors, 8);
                    var steps = b.In <= 2 ? Invariant($"{b.In} row{(b.In == 1 ? "" : "s")} in one step") : "two rows per step";
                    return passes == 1
                        ? Invariant($"batch 1, {b.Out} outputs: Gemv.Wide keeps them in {vectors} 512-bit register{(vectors == 1 ? "" : "s")} and reads {b.W} once, {steps}")
                        : Invariant($"batch 1, {b.Out} outputs ({vectors} 512-bit vectors): Gemv.Wide keeps up to 8 in registers per pass, {passes} passes over column blocks of {b.W}, each element read once, {steps}");
            }
        }

        private static int Ceiling(int a, int b) => (a + b - 1) / b;

        // Forward(x, scores), Predict(x) and Probabilities(x, p): the members of this network that run one sample.
        private static string Callers(NetworkPlan plan)
        {
            var callers = new List<string> { "Forward(x, scores)" };
            if (plan.Declares(MemberNames.Predict))
            {
                callers.Add("Predict(x)");
            }

            if (plan.Declares(MemberNames.Probabilities))
            {
                callers.Add("Probabilities(x, p)");
            }

            return callers.Count == 1 ? callers[0] : string.Join(", ", callers.Take(callers.Count - 1)) + " and " + callers[callers.Count - 1];
        }

        // h1 [100] | h2 [100]
        private static string OneSampleLayout(NetworkPlan plan) =>
            plan.Hidden.Count == 0
                ? "nothing (a single linear layer)"
                : string.Join(" | ", plan.Hidden.Select(v => Invariant($"{v.Name} [{v.Size}]")));
    }
}
