using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>One method per layer kind, forward and backward: the lines a reader learns backprop from.</summary>
    internal static partial class Emitter
    {
        // (1) Affine 1 + ReLU: h1 = max(0, x·W1 + b1)    [N×100] = [N×2]·[2×100]
        private static void EmitAffineForward(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            var math = b.Input.Name + "·" + b.W + " + " + b.B;
            var shapes = "    [N×" + b.Out + "] = [N×" + b.In + "]·[" + b.In + "×" + b.Out + "]";
            var title = "(" + b.Number + ") Affine " + b.Number + string.Concat(b.Stages.Select(s => " + " + StageName(s, plan.T)));
            if (b.FusedRelu)
            {
                w.WriteLine("// " + title + ": " + b.AffineOutput.Name + " = max(0, " + math + ")" + shapes);
                w.WriteLine(Rt + "Gemm.MatMul<" + plan.T + ">(" + b.Input.Name + ", " + b.W + ", " + b.AffineOutput.Name
                    + ", m: N, k: " + b.In + ", n: " + b.Out + ", bias: " + b.B + ", epilogue: " + Rt + "Epilogue.Relu);");
                return;
            }

            w.WriteLine("// " + title + ": " + b.AffineOutput.Name + " = " + math + shapes);
            w.WriteLine(Rt + "Gemm.MatMul<" + plan.T + ">(" + b.Input.Name + ", " + b.W + ", " + b.AffineOutput.Name
                + ", m: N, k: " + b.In + ", n: " + b.Out + ", bias: " + b.B + ");");
            foreach (var stage in b.Stages)
            {
                EmitStageForward(w, plan, stage, "N");
            }
        }

        // `rows` is "N" in the batch pass and "1" in the one-sample pass.
        private static void EmitStageForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            var t = plan.T;
            string i = s.Input.Name, o = s.Output.Name, shape = "    [" + rows + "×" + s.Output.Size + "]";
            switch (s.Kind)
            {
                case LayerKind.ReLU:
                    w.WriteLine("//     ReLU: " + o + " = max(0, " + i + ")" + shape);
                    w.WriteLine(Rt + "Activations.ReluForward<" + t + ">(" + i + ", " + o + ");");
                    break;
                case LayerKind.LeakyReLU:
                    w.WriteLine("//     " + StageName(s, t) + ": " + o + " = " + i + " > 0 ? " + i + " : " + s.Literal("double") + "·" + i + shape);
                    w.WriteLine(Rt + "Activations.LeakyReluForward<" + t + ">(" + i + ", " + o + ", alpha: " + s.Literal(t) + ");");
                    break;
                case LayerKind.Sigmoid:
                    w.WriteLine("//     Sigmoid: " + o + " = σ(" + i + ") = 1 / (1 + exp(−" + i + "))" + shape);
                    w.WriteLine(Rt + "Activations.SigmoidForward<" + t + ">(" + i + ", " + o + ");");
                    break;
                case LayerKind.Tanh:
                    w.WriteLine("//     Tanh: " + o + " = tanh(" + i + ")" + shape);
                    w.WriteLine(Rt + "Activations.TanhForward<" + t + ">(" + i + ", " + o + ");");
                    break;
                case LayerKind.Maxout:
                    var k = (int)s.Argument;
                    w.WriteLine("//     Maxout(" + k + "): " + o + "[:, u] = max(" + i + "[:, " + k + "u … " + k + "u+" + (k - 1) + "])" + shape);
                    w.WriteLine(Rt + "MaxoutKernels.Forward<" + t + ">(" + i + ", " + o + ", rows: " + rows + ", units: " + s.Output.Size + ", pieces: " + k + ");");
                    break;
            }
        }

        // Undoes one stage: from d(output) to d(input) (the same span when the stage ran in place).
        private static void EmitStageBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            var t = plan.T;
            string o = s.Output.Name, d = "d" + s.Output.Name, dx = "d" + s.Input.Name;
            switch (s.Kind)
            {
                case LayerKind.ReLU when s.InPlace:
                    w.WriteLine("// ReLU: " + d + "[" + o + " ≤ 0] = 0");
                    w.WriteLine(Rt + "Activations.ReluBackward<" + t + ">(" + o + ", " + d + ");");
                    break;
                case LayerKind.ReLU:
                    w.WriteLine("// ReLU: " + dx + " = " + o + " > 0 ? " + d + " : 0");
                    w.WriteLine(Rt + "Activations.ReluBackward<" + t + ">(" + o + ", " + d + ", " + dx + ");");
                    break;
                case LayerKind.LeakyReLU:
                    w.WriteLine("// " + StageName(s, t) + ": " + dx + " = " + o + " > 0 ? " + d + " : " + s.Literal("double") + "·" + d);
                    w.WriteLine(Rt + "Activations.LeakyReluBackward<" + t + ">(" + o + ", " + d + ", " + dx + ", alpha: " + s.Literal(t) + ");");
                    break;
                case LayerKind.Sigmoid:
                    w.WriteLine("// Sigmoid: " + dx + " = " + d + "·" + o + "·(1 − " + o + ")");
                    w.WriteLine(Rt + "Activations.SigmoidBackward<" + t + ">(" + o + ", " + d + ", " + dx + ");");
                    break;
                case LayerKind.Tanh:
                    w.WriteLine("// Tanh: " + dx + " = " + d + "·(1 − " + o + "²)");
                    w.WriteLine(Rt + "Activations.TanhBackward<" + t + ">(" + o + ", " + d + ", " + dx + ");");
                    break;
                case LayerKind.Maxout:
                    w.WriteLine("// Maxout: " + dx + " = " + d + " routed to the piece that won each max, 0 to the others    [N×" + s.Input.Size + "]");
                    w.WriteLine(Rt + "MaxoutKernels.Backward<" + t + ">(" + s.Input.Name + ", " + d + ", " + dx + ", rows: N, units: " + s.Output.Size + ", pieces: " + (int)s.Argument + ");");
                    break;
            }
        }

        private static void EmitAffineBackward(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            var t = plan.T;
            var dout = "d" + b.AffineOutput.Name;
            var title = "Affine " + b.Number + string.Concat(b.Stages.Select(s => " + " + StageName(s, t)));
            w.WriteLine("// ── backward (" + b.Number + ") ──  undoes (" + b.Number + ") " + title);
            for (var i = b.Stages.Count - 1; i >= 0; i--)
            {
                EmitStageBackward(w, plan, b.Stages[i]);
            }

            var x = b.Input.Name;
            w.WriteLine("// d" + b.W + " = " + x + "ᵀ·" + dout + " + λ·" + b.W + "    [" + b.In + "×" + b.Out + "] = [" + b.In + "×N]·[N×" + b.Out + "]");
            w.WriteLine(Rt + "Gemm.MatMulTransposeA<" + t + ">(" + x + ", " + dout + ", d" + b.W + ", m: " + b.In + ", k: N, n: " + b.Out + ");");
            w.WriteLine(Rt + "Regularization.L2Backward<" + t + ">(" + b.W + ", d" + b.W + ", reg);");
            w.WriteLine("// d" + b.B + " = Σ_rows " + dout + "    [" + b.Out + "]");
            w.WriteLine(Rt + "Reductions.SumRows<" + t + ">(" + dout + ", d" + b.B + ", rows: N, cols: " + b.Out + ");");
            if (b.Number == 1)
            {
                w.WriteLine("// (dx is not needed: x is data, not a parameter)");
                return;
            }

            w.WriteLine("// d" + x + " = " + dout + "·" + b.W + "ᵀ    [N×" + b.In + "] = [N×" + b.Out + "]·[" + b.Out + "×" + b.In + "]");
            w.WriteLine(Rt + "Gemm.MatMulTransposeB<" + t + ">(" + dout + ", " + b.W + ", d" + x + ", m: N, k: " + b.Out + ", n: " + b.In + ");");
        }

        private static string StageName(Stage s, string t) => s.Kind switch
        {
            LayerKind.LeakyReLU => "LeakyReLU(" + s.Literal("double") + ")",
            LayerKind.Maxout => "Maxout(" + (int)s.Argument + ")",
            _ => LayerKinds.DisplayName(s.Kind),
        };
    }
}
