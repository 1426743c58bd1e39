using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>The Affine layer, forward and backward, and the dispatch to each stage kind's pair (Emitter.Stages).</summary>
    internal static partial class Emitter
    {
        // (1) Affine 1 + ReLU: h1 = max(0, x·W1 + b1)    [N×100] = [N×2]·[2×100]
        // Gemm.MatMul<float>(x, W1, h1, m: N, k: 2, n: 100, bias: b1, epilogue: Epilogue.Relu);
        // then the block's stages: as inference runs them, or, with `training`, as the trainer's forward pass runs them.
        private static void EmitAffineForward(SourceWriter w, NetworkPlan plan, AffineBlock b, bool training = false)
        {
            var epilogue = b.FusedRelu ? $", epilogue: {Rt}Epilogue.Relu" : string.Empty;
            w.WriteLine($$"""
                // {{AffineTitle(b)}}: {{b.AffineOutput.Name}} = {{AffineMath(b)}}    [N×{{b.Out}}] = [N×{{b.In}}]·[{{b.In}}×{{b.Out}}]
                {{Rt}}Gemm.MatMul<{{plan.T}}>({{b.Input.Name}}, {{b.W}}, {{b.AffineOutput.Name}}, m: N, k: {{b.In}}, n: {{b.Out}}, \
                    bias: {{b.B}}{{epilogue}});
                """);
            foreach (var stage in StagesToRun(b, training))
            {
                EmitStageForward(w, plan, stage, "N", training);
            }
        }

        // The stages a forward pass writes out: not a ReLU fused into the product, and not Dropout outside training.
        private static System.Collections.Generic.IEnumerable<Stage> StagesToRun(AffineBlock b, bool training) =>
            b.Stages.Where((s, i) => !(i == 0 && b.FusedRelu) && (training || !s.TrainingOnly));

        // ── backward (2) ──  undoes (2) Affine 2: the stages in reverse, then dW, db and (past layer 1) dx.
        private static void EmitAffineBackward(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            string t = plan.T, x = b.Input.Name, dout = "d" + b.AffineOutput.Name;
            w.WriteLine($"// ── backward ({b.Number}) ──  undoes {AffineTitle(b)}");
            for (var i = b.Stages.Count - 1; i >= 0; i--)
            {
                EmitStageBackward(w, plan, b.Stages[i]);
            }

            w.WriteLine($$"""
                // d{{b.W}} = {{x}}ᵀ·{{dout}} + λ·{{b.W}}    [{{b.In}}×{{b.Out}}] = [{{b.In}}×N]·[N×{{b.Out}}]
                {{Rt}}Gemm.MatMulTransposeA<{{t}}>({{x}}, {{dout}}, d{{b.W}}, m: {{b.In}}, k: N, n: {{b.Out}});
                {{Rt}}Regularization.L2Backward<{{t}}>({{b.W}}, d{{b.W}}, lambda);
                // d{{b.B}} = Σ_rows {{dout}}    [{{b.Out}}]
                {{Rt}}Reductions.SumRows<{{t}}>({{dout}}, d{{b.B}}, rows: N, cols: {{b.Out}});
                """);
            if (b.Number == 1)
            {
                w.WriteLine("// (dx is not needed: x is data, not a parameter)");
                return;
            }

            w.WriteLine($$"""
                // d{{x}} = {{dout}}·{{b.W}}ᵀ    [N×{{b.In}}] = [N×{{b.Out}}]·[{{b.Out}}×{{b.In}}]
                {{Rt}}Gemm.MatMulTransposeB<{{t}}>({{dout}}, {{b.W}}, d{{x}}, m: N, k: {{b.Out}}, n: {{b.In}});
                """);
        }

        // One stage forward. `rows` is "N" in the batch pass and "1" in the one-sample pass; `training` picks BatchNorm's
        // batch statistics over its running ones, and is the only pass that writes Dropout.
        private static void EmitStageForward(SourceWriter w, NetworkPlan plan, Stage s, string rows, bool training = false)
        {
            switch (s.Kind)
            {
                case LayerKind.BatchNorm when training: EmitBatchNormTraining(w, plan, s); break;
                case LayerKind.BatchNorm: EmitBatchNormInference(w, plan, s, rows); break;
                case LayerKind.Dropout: EmitDropoutForward(w, plan, s); break;
                case LayerKind.ReLU: EmitReluForward(w, plan, s, rows); break;
                case LayerKind.LeakyReLU: EmitLeakyReluForward(w, plan, s, rows); break;
                case LayerKind.Sigmoid: EmitSigmoidForward(w, plan, s, rows); break;
                case LayerKind.Tanh: EmitTanhForward(w, plan, s, rows); break;
                case LayerKind.Maxout: EmitMaxoutForward(w, plan, s, rows); break;
                default: throw new System.InvalidOperationException($"No forward pass for stage {s.Kind}.");
            }
        }

        // Undoes one stage: from d(output) to d(input) (the same span when the stage ran in place).
        private static void EmitStageBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            switch (s.Kind)
            {
                case LayerKind.ReLU: EmitReluBackward(w, plan, s); break;
                case LayerKind.LeakyReLU: EmitLeakyReluBackward(w, plan, s); break;
                case LayerKind.Sigmoid: EmitSigmoidBackward(w, plan, s); break;
                case LayerKind.Tanh: EmitTanhBackward(w, plan, s); break;
                case LayerKind.Maxout: EmitMaxoutBackward(w, plan, s); break;
                case LayerKind.BatchNorm: EmitBatchNormBackward(w, plan, s); break;
                case LayerKind.Dropout: EmitDropoutBackward(w, plan, s); break;
                default: throw new System.InvalidOperationException($"No backward pass for stage {s.Kind}.");
            }
        }

        // (1) Affine 1 + ReLU
        private static string AffineTitle(AffineBlock b) =>
            Invariant($"({b.Number}) Affine {b.Number}{string.Concat(b.Stages.Select(s => " + " + StageName(s)))}");

        // max(0, x·W1 + b1) when the ReLU is fused, else x·W1 + b1
        private static string AffineMath(AffineBlock b) =>
            b.FusedRelu ? $"max(0, {b.Input.Name}·{b.W} + {b.B})" : $"{b.Input.Name}·{b.W} + {b.B}";

        // ReLU, LeakyReLU(0.01), Maxout(2): the stage as the user wrote it.
        // A BatchNorm names the options it changes (BatchNorm(Epsilon = 0.001)): the architecture string written into
        // weights files must tell networks apart whose inference differs.
        private static string StageName(Stage s) => StageArgument(s) is { } argument
            ? $"{LayerKinds.DisplayName(s.Kind)}({Literal(argument, "double")})"
            : s.Kind == LayerKind.BatchNorm ? "BatchNorm" + BatchNormOptions(s.Layer)
            : LayerKinds.DisplayName(s.Kind);

        // "" for the defaults, else (Momentum = 0.8, Epsilon = 0.001) with only the options that differ
        private static string BatchNormOptions(LayerModel layer)
        {
            var options = new System.Collections.Generic.List<string>();
            if (layer.Momentum != 0.9)
            {
                options.Add("Momentum = " + Literal(layer.Momentum, "double"));
            }

            if (layer.Epsilon != 1e-5)
            {
                options.Add("Epsilon = " + Literal(layer.Epsilon, "double"));
            }

            return options.Count == 0 ? string.Empty : "(" + string.Join(", ", options) + ")";
        }

        // The stage's one argument, for its name and for LayerInfo.Argument.
        private static double? StageArgument(Stage s) => s.Kind switch
        {
            LayerKind.LeakyReLU => s.Layer.Alpha,
            LayerKind.Maxout => s.Layer.Pieces,
            LayerKind.Dropout => s.Layer.Probability,
            _ => null,
        };
    }
}
