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
                // Forward pass for one sample, behind {{Callers(plan)}}; `hidden` holds {{OneSampleLayout(plan)}}.
                // At batch 1 an Affine layer is a matrix-vector product bound by reading W once; the runtime picks the kernel
                // for this shape and this machine's vector width.
                {{Hot}}
                """);
            using (w.Block($"private void ForwardOne({ReadOnlySpanOf(t)} x, {span} scores, {span} hidden)"))
            {
                EmitViewLocals(w, plan, "this", string.Empty, withState: true);
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
                {{Rt}}Gemv.Forward<{{plan.T}}>({{b.Input.Name}}, {{b.W}}, {{b.B}}, {{b.AffineOutput.Name}}, k: {{b.In}}, n: {{b.Out}}{{epilogue}});
                """);
            foreach (var stage in StagesToRun(b, training: false))
            {
                EmitStageForward(w, plan, stage, "1");
            }
        }

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
