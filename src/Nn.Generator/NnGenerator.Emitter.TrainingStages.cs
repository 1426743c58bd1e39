using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// The stages that behave differently in training: BatchNorm (batch statistics in training, running ones at inference)
    /// and Dropout (training only). Both run in place; what their backward passes need the trainer keeps in its own
    /// arrays (<c>_xhat1</c>, <c>_mean1</c>, <c>_invstd1</c>, <c>_mask1</c>), named after the stage's <see cref="Stage.Cache"/>.
    /// </summary>
    internal static partial class Emitter
    {
        //     BatchNorm (running statistics): h1 = γ1·(h1 − runningMean1)/√(runningVar1 + ε) + β1    [N×100]
        private static void EmitBatchNormInference(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            string t = plan.T, v = s.Output.Name, k = s.Cache!;
            w.WriteLine($$"""
                //     BatchNorm (running statistics): {{v}} = gamma{{k}}·({{v}} − runningMean{{k}}) / √(runningVar{{k}} + ε) + beta{{k}}    \
                    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}BatchNormKernels.ForwardInference<{{t}}>({{v}}, gamma{{k}}, beta{{k}}, runningMean{{k}}, runningVar{{k}}, {{v}}, \
                    rows: {{rows}}, cols: {{s.Output.Size}}, epsilon: {{Literal(s.Layer.Epsilon, t)}});
                """);
        }

        //     BatchNorm (batch statistics): μ, σ² per column over the N rows; xhat1 = (h1 − μ)/√(σ² + ε); h1 = γ1·xhat1 + β1
        private static void EmitBatchNormTraining(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string t = plan.T, v = s.Output.Name, k = s.Cache!;
            var n = s.Output.Size;
            var momentum = s.Layer.Momentum;
            var rest = System.Math.Round(1 - momentum, 12);   // 0.1, not 0.09999999999999998
            w.WriteLine($$"""
                //     BatchNorm (batch statistics): μ = mean of each column of {{v}} over the N rows, σ² = its biased variance
                //         xhat{{k}} = ({{v}} − μ) / √(σ² + ε)    {{v}} = gamma{{k}}·xhat{{k}} + beta{{k}}    [N×{{n}}]
                //         runningMean{{k}} = {{Literal(momentum, "double")}}·runningMean{{k}} + {{Literal(rest, "double")}}·μ, \
                    runningVar{{k}} likewise with σ²
                {{Rt}}BatchNormKernels.ForwardTraining<{{t}}>({{v}}, gamma{{k}}, beta{{k}}, {{v}}, {{Cache(plan, "_xhat" + k, n)}}, _mean{{k}}, \
                    _invstd{{k}},
                    runningMean{{k}}, runningVar{{k}}, rows: N, cols: {{n}}, momentum: {{Literal(momentum, t)}}, \
                    epsilon: {{Literal(s.Layer.Epsilon, t)}});
                """);
        }

        // BatchNorm: dβ1 = Σ_rows dh1, dγ1 = Σ_rows dh1·xhat1, dh1 = (γ1·invstd1/N)·(N·dh1 − dβ1 − xhat1·dγ1)
        private static void EmitBatchNormBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string t = plan.T, d = "d" + s.Output.Name, k = s.Cache!;
            var n = s.Output.Size;
            w.WriteLine($$"""
                // BatchNorm (CS231n's batchnorm_backward_alt): dbeta{{k}} = Σ_rows {{d}}    dgamma{{k}} = Σ_rows {{d}}·xhat{{k}}    [{{n}}]
                //     {{d}} = (gamma{{k}}·invstd{{k}} / N)·(N·{{d}} − dbeta{{k}} − xhat{{k}}·dgamma{{k}})    [N×{{n}}]
                {{Rt}}BatchNormKernels.Backward<{{t}}>({{d}}, {{Cache(plan, "_xhat" + k, n)}}, gamma{{k}}, _invstd{{k}}, {{d}}, \
                    dgamma{{k}}, dbeta{{k}}, rows: N, cols: {{n}});
                """);
        }

        //     Dropout(0.5), training only: mask1 = (u ≥ p)/(1 − p), u ~ U[0, 1) per unit; h1 = h1·mask1
        private static void EmitDropoutForward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string t = plan.T, v = s.Output.Name, mask = s.Cache!;
            var p = s.Layer.Probability;
            w.WriteLine($$"""
                //     Dropout({{Literal(p, "double")}}), training only: {{mask}} = (u ≥ p) / (1 − p) with u ~ U[0, 1) per unit, \
                    drawn from this trainer's seeded generator
                //         {{v}} = {{v}}·{{mask}}    [N×{{s.Output.Size}}]   (inverted dropout: inference uses {{v}} as it is)
                {{Rt}}DropoutKernels.Forward<{{t}}>({{v}}, {{v}}, {{Cache(plan, "_" + mask, s.Output.Size)}}, \
                    p: {{Literal(p, "double")}}, ref _rng);
                """);
        }

        // Dropout: dh1 = dh1·mask1, and the activation's own output restored when its backward reads it.
        private static void EmitDropoutBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string t = plan.T, v = s.Output.Name, d = "d" + v, mask = s.Cache!;
            var cache = Cache(plan, "_" + mask, s.Output.Size);
            w.WriteLine($$"""
                // Dropout: {{d}} = {{d}}·{{mask}}   (dropped units pass no gradient)
                {{Rt}}DropoutKernels.Backward<{{t}}>({{d}}, {{cache}}, {{d}});
                """);
            if (s.Previous is { } previous && LayerKinds.NeedsOwnOutput(previous.Kind))
            {
                w.WriteLine($$"""
                    // {{LayerKinds.DisplayName(previous.Kind)}}'s backward reads its own output, which the dropout scaled in place: \
                        undo the scaling of the kept units
                    {{Rt}}DropoutKernels.Unscale<{{t}}>({{v}}, {{cache}});
                    """);
            }
        }

        // new Span<float>(_xhat1, 0, N * 100): the first N rows of a trainer array sized for MaxBatch.
        private static string Cache(NetworkPlan plan, string array, int width) =>
            Invariant($"new {SpanOf(plan.T)}({array}, 0, N * {width})");
    }
}
