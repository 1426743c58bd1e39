using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    internal static partial class Emitter
    {
        private static void EmitTrainer(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            var cls = plan.Model.ClassName;
            w.WriteLine();
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Trains a <see cref=\"" + cls + "\"/> on minibatches of up to <see cref=\"MaxBatch\"/> samples. Owns every buffer the");
            w.WriteLine("/// forward and backward passes need, allocated once here: <see cref=\"Loss\"/> and <see cref=\"Step\"/> allocate nothing.");
            w.WriteLine("/// Not thread-safe: use one trainer per thread.");
            w.WriteLine("/// </summary>");
            using (w.Block("public sealed class Trainer"))
            {
                w.WriteLine("private readonly " + cls + " _network;");
                w.WriteLine("private readonly " + t + "[] _hidden;   // " + HiddenLayout(plan) + ", N ≤ MaxBatch");
                w.WriteLine("private readonly " + t + "[] _dhidden;  // their gradients, same layout");
                w.WriteLine("private readonly " + t + "[] _scores;   // [N×" + plan.OutputSize + "]");
                w.WriteLine("private readonly " + t + "[] _dscores;  // [N×" + plan.OutputSize + "]");
                w.WriteLine();
                w.WriteLine("/// <summary>Allocates the buffers for batches of up to <paramref name=\"maxBatch\"/> samples.</summary>");
                using (w.Block("public Trainer(" + cls + " network, int maxBatch)"))
                {
                    w.WriteLine("_network = network ?? throw new global::System.ArgumentNullException(nameof(network));");
                    w.WriteLine(Rt + "Guard.Batch(maxBatch, int.MaxValue / " + System.Math.Max(plan.HiddenSize, plan.OutputSize) + ", nameof(maxBatch));");
                    w.WriteLine("MaxBatch = maxBatch;");
                    w.WriteLine("_hidden = new " + t + "[maxBatch * " + plan.HiddenSize + "];");
                    w.WriteLine("_dhidden = new " + t + "[maxBatch * " + plan.HiddenSize + "];");
                    w.WriteLine("_scores = new " + t + "[maxBatch * OutputSize];");
                    w.WriteLine("_dscores = new " + t + "[maxBatch * OutputSize];");
                }

                w.WriteLine();
                w.WriteLine("/// <summary>The network whose <see cref=\"" + cls + ".Parameters\"/> this trainer updates.</summary>");
                w.WriteLine("public " + cls + " Network => _network;");
                w.WriteLine();
                w.WriteLine("/// <summary>The largest batch <see cref=\"Loss\"/> accepts.</summary>");
                w.WriteLine("public int MaxBatch { get; }");
                w.WriteLine();
                w.WriteLine("/// <summary>Gradient of the last <see cref=\"Loss\"/>, laid out like <see cref=\"" + cls + ".Parameters\"/>.</summary>");
                w.WriteLine("public " + t + "[] Gradients { get; } = new " + t + "[ParameterCount];");
                w.WriteLine();
                foreach (var block in plan.Blocks)
                {
                    EmitView(w, plan, "Gradients", "d" + block.W, "gradient of " + block.W, block.WeightOffset, block.In * block.Out);
                    EmitView(w, plan, "Gradients", "d" + block.B, "gradient of " + block.B, block.BiasOffset, block.Out);
                }

                w.WriteLine("/// <summary>Data loss of the last batch (mean " + LayerKinds.DisplayName(plan.Head!.Value) + " loss).</summary>");
                w.WriteLine("public " + t + " DataLoss { get; private set; }");
                w.WriteLine();
                w.WriteLine("/// <summary>L2 loss of the last batch, ½λ·ΣW² over the weights.</summary>");
                w.WriteLine("public " + t + " RegularizationLoss { get; private set; }");
                w.WriteLine();
                EmitLoss(w, plan);
                w.WriteLine("/// <summary>Plain SGD: Parameters −= learningRate · Gradients.</summary>");
                w.WriteLine("public void Step(" + t + " learningRate) => " + Rt + "Optimizers.Sgd<" + t + ">(_network.Parameters, Gradients, learningRate);");
            }
        }

        private static void EmitLoss(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            var last = plan.Blocks[plan.Blocks.Count - 1];
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Forward and backward pass on one minibatch: returns data loss + ½λ·ΣW² and fills <see cref=\"Gradients\"/>.");
            w.WriteLine("/// </summary>");
            w.WriteLine("/// <param name=\"x\">Inputs, [N×" + plan.InputSize + "] row-major.</param>");
            w.WriteLine("/// <param name=\"y\">Class labels in [0, " + plan.OutputSize + "); N = y.Length.</param>");
            w.WriteLine("/// <param name=\"reg\">L2 strength λ, applied to weights only.</param>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">N is 0 or above MaxBatch, x is not N·InputSize long, or a label is out of range.</exception>");
            using (w.Block("public " + t + " Loss(" + ReadOnlySpan + "<" + t + "> x, " + ReadOnlySpan + "<int> y, " + t + " reg = 0)"))
            {
                w.WriteLine("int N = y.Length;");
                w.WriteLine(Rt + "Guard.Batch(N, MaxBatch, nameof(y));");
                w.WriteLine(Rt + "Guard.Length(x.Length, N * InputSize, nameof(x), \"y.Length·InputSize\");");
                w.WriteLine(Rt + "Losses.ValidateLabels(y, OutputSize);");
                w.WriteLine(string.Join(" ", new[] { Span + "<" + t + ">" }.Concat(plan.Blocks.Select((b, i) => b.W + " = _network." + b.W + (i == plan.Blocks.Count - 1 ? ";" : ",")))));
                EmitHiddenSlices(w, plan, "_hidden", "h");
                EmitHiddenSlices(w, plan, "_dhidden", "dh");
                w.WriteLine(Span + "<" + t + "> scores = new " + Span + "<" + t + ">(_scores, 0, N * OutputSize);");
                w.WriteLine(Span + "<" + t + "> dscores = new " + Span + "<" + t + ">(_dscores, 0, N * OutputSize);");
                w.WriteLine();
                w.WriteLine("// ── forward (1)…(" + plan.LayerCount + "): ForwardCore, keeping every h for the backward pass ──");
                w.WriteLine("_network.ForwardCore(x, scores, N, _hidden);");
                w.WriteLine();
                EmitHeadLoss(w, plan);
                var weights = string.Join(" + ", plan.Blocks.Select(b => "Σ" + b.W + "²"));
                w.WriteLine("// L2: reg_loss = ½λ·(" + weights + ")   (weights only, not biases)");
                w.WriteLine(t + " regLoss = reg * (" + string.Join(" + ", plan.Blocks.Select(b => Rt + "Regularization.L2<" + t + ">(" + b.W + ")")) + ");");
                for (var i = plan.Blocks.Count - 1; i >= 0; i--)
                {
                    w.WriteLine();
                    EmitAffineBackward(w, plan, plan.Blocks[i]);
                }

                w.WriteLine();
                w.WriteLine("DataLoss = dataLoss;");
                w.WriteLine("RegularizationLoss = regLoss;");
                w.WriteLine("return dataLoss + regLoss;");
            }

            w.WriteLine();
        }

        // (3) Softmax loss: data_loss = −(1/N)·Σ log p[y]; dscores = (p − 1[y]) / N
        private static void EmitHeadLoss(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            var n = plan.LayerCount + 1;
            switch (plan.Head)
            {
                case LayerKind.Softmax:
                    w.WriteLine("// (" + n + ") Softmax loss: p = softmax(scores) row-wise (max subtracted first, so no overflow)");
                    w.WriteLine("//     data_loss = −(1/N)·Σ log p[y]      dscores = (p − 1[y]) / N    [N×" + plan.OutputSize + "]");
                    w.WriteLine(t + " dataLoss = " + Rt + "Losses.SoftmaxCrossEntropy<" + t + ">(scores, y, dscores, batch: N, classes: " + plan.OutputSize + ");");
                    break;
            }
        }

        private static void EmitAffineBackward(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            var t = plan.T;
            var dout = "d" + b.Output;
            w.WriteLine("// ── backward (" + b.Number + ") ──  undoes (" + b.Number + ") Affine " + b.Number + (b.Activation is { } a ? " + " + LayerKinds.DisplayName(a) : string.Empty));
            if (b.Activation == LayerKind.ReLU)
            {
                w.WriteLine("// ReLU: " + dout + "[" + b.Output + " ≤ 0] = 0");
                w.WriteLine(Rt + "Activations.ReluBackward<" + t + ">(" + b.Output + ", " + dout + ");");
            }

            w.WriteLine("// d" + b.W + " = " + b.Input + "ᵀ·" + dout + " + λ·" + b.W + "    [" + b.In + "×" + b.Out + "] = [" + b.In + "×N]·[N×" + b.Out + "]");
            w.WriteLine(Rt + "Gemm.MatMulTransposeA<" + t + ">(" + b.Input + ", " + dout + ", d" + b.W + ", m: " + b.In + ", k: N, n: " + b.Out + ");");
            w.WriteLine(Rt + "Regularization.L2Backward<" + t + ">(" + b.W + ", d" + b.W + ", reg);");
            w.WriteLine("// d" + b.B + " = Σ_rows " + dout + "    [" + b.Out + "]");
            w.WriteLine(Rt + "Reductions.SumRows<" + t + ">(" + dout + ", d" + b.B + ", rows: N, cols: " + b.Out + ");");
            if (b.Number == 1)
            {
                w.WriteLine("// (dx is not needed: x is data, not a parameter)");
                return;
            }

            var dx = "d" + b.Input;
            w.WriteLine("// " + dx + " = " + dout + "·" + b.W + "ᵀ    [N×" + b.In + "] = [N×" + b.Out + "]·[" + b.Out + "×" + b.In + "]");
            w.WriteLine(Rt + "Gemm.MatMulTransposeB<" + t + ">(" + dout + ", " + b.W + ", " + dx + ", m: N, k: " + b.Out + ", n: " + b.In + ");");
        }
    }
}
