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
            w.WriteLine("/// forward and backward passes need, allocated once here: <see cref=\"Loss\"/>, <see cref=\"Evaluate\"/> and <see cref=\"Step\"/> allocate nothing.");
            w.WriteLine("/// Not thread-safe: use one trainer per thread.");
            w.WriteLine("/// </summary>");
            var contract = "global::Nn.IClassifierTrainer<" + t + ">";
            using (w.Block("public sealed class Trainer" + (plan.HasLabels ? " : " + contract : string.Empty)))
            {
                w.WriteLine("private readonly " + cls + " _network;");
                w.WriteLine("private readonly " + t + "[] _hidden;   // " + HiddenLayout(plan) + ", N ≤ MaxBatch");
                w.WriteLine("private readonly " + t + "[] _dhidden;  // their gradients, same layout");
                w.WriteLine("private readonly " + t + "[] _scores;   // [N×" + plan.OutputSize + "]");
                w.WriteLine("private readonly " + t + "[] _dscores;  // [N×" + plan.OutputSize + "]");
                if (plan.Blocks.Any(b => b.HasRelu) || plan.HasLabels)
                {
                    w.WriteLine("private int _batch;                // N of the last Loss or Evaluate call");
                }
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

                EmitDeadUnits(w, plan);
                w.WriteLine("/// <summary>Data loss of the last batch (mean " + LayerKinds.DisplayName(plan.Head!.Value) + " loss).</summary>");
                w.WriteLine("public " + t + " DataLoss { get; private set; }");
                w.WriteLine();
                w.WriteLine("/// <summary>L2 loss of the last batch, ½λ·ΣW² over the weights.</summary>");
                w.WriteLine("public " + t + " RegularizationLoss { get; private set; }");
                w.WriteLine();
                EmitLoss(w, plan);
                EmitEvaluate(w, plan);
                w.WriteLine("/// <summary>Plain SGD: Parameters −= learningRate · Gradients.</summary>");
                w.WriteLine("public void Step(" + t + " learningRate) => " + Rt + "ParameterUpdates.Sgd<" + t + ">(_network.Parameters, Gradients, learningRate);");
                w.WriteLine();
                w.WriteLine("/// <summary>One update of the network's Parameters by <paramref name=\"optimizer\"/> (momentum, Adam, …) from Gradients.</summary>");
                w.WriteLine("public void Step(global::Nn.IOptimizer<" + t + "> optimizer, " + t + " learningRate) => optimizer.Step(_network.Parameters, Gradients, learningRate);");
                if (plan.HasLabels)
                {
                    // What Nn.Training.Fit needs beyond the public members above.
                    w.WriteLine();
                    w.WriteLine("int " + contract + ".InputSize => InputSize;");
                    w.WriteLine();
                    w.WriteLine("int " + contract + ".OutputSize => OutputSize;");
                    w.WriteLine();
                    w.WriteLine(ReadOnlySpan + "<" + t + "> " + contract + ".Scores => new " + ReadOnlySpan + "<" + t + ">(_scores, 0, _batch * OutputSize);");
                    w.WriteLine();
                    w.WriteLine(t + "[] " + contract + ".Parameters => _network.Parameters;");
                    w.WriteLine();
                    w.WriteLine("void " + contract + ".Predict(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<int> labels) => _network.Predict(x, labels);");
                }
            }
        }

        private static void EmitLoss(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Forward and backward pass on one minibatch: returns data loss + ½λ·ΣW² and fills <see cref=\"Gradients\"/>.");
            w.WriteLine("/// </summary>");
            EmitBatchDocs(w, plan);
            w.WriteLine("/// <param name=\"reg\">L2 strength λ, applied to weights only.</param>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">N is 0 or above MaxBatch, a span does not match N, or a label is out of range.</exception>");
            using (w.Block("public " + t + " Loss(" + BatchParameters(plan) + ", " + t + " reg = 0)"))
            {
                EmitBatchChecks(w, plan);
                w.WriteLine(string.Join(" ", new[] { Span + "<" + t + ">" }.Concat(plan.Blocks.Select((b, i) => b.W + " = _network." + b.W + (i == plan.Blocks.Count - 1 ? ";" : ",")))));
                EmitHiddenSlices(w, plan, "_hidden", string.Empty);
                EmitHiddenSlices(w, plan, "_dhidden", "d");
                w.WriteLine(Span + "<" + t + "> scores = new " + Span + "<" + t + ">(_scores, 0, N * OutputSize);");
                w.WriteLine(Span + "<" + t + "> dscores = new " + Span + "<" + t + ">(_dscores, 0, N * OutputSize);");
                if (plan.Blocks.Any(b => b.HasRelu) || plan.HasLabels)
                {
                    w.WriteLine("_batch = N;");
                }
                w.WriteLine();
                w.WriteLine("// ── forward (1)…(" + plan.LayerCount + "): ForwardCore, keeping every value for the backward pass ──");
                w.WriteLine("_network.ForwardCore(x, scores, N, _hidden);");
                w.WriteLine();
                EmitHeadLoss(w, plan, gradient: true);
                var weights = string.Join(" + ", plan.Blocks.Select(b => "Σ" + b.W + "²"));
                w.WriteLine("// L2: reg_loss = ½λ·(" + weights + ")   (weights only, not biases; no pass over the weights when λ = 0)");
                // float regLoss = reg == 0 ? 0 : reg * (Regularization.L2<float>(W1) + …);
                w.WriteLine(t + " regLoss = reg == 0 ? 0 : reg * (" + string.Join(" + ", plan.Blocks.Select(b => Rt + "Regularization.L2<" + t + ">(" + b.W + ")")) + ");");
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

        // Loss without its backward half: the same checks, the same ForwardCore, the head's loss without dscores.
        private static void EmitEvaluate(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Forward pass and data loss on one minibatch, without the backward pass (which costs <see cref=\"Loss\"/> one to two forward passes),");
            w.WriteLine("/// for validation and test sets: returns the mean data loss, the same value <see cref=\"Loss\"/> puts in <see cref=\"DataLoss\"/>.");
            w.WriteLine("/// Sets <see cref=\"DataLoss\"/> and the scores as <see cref=\"Loss\"/> does; <see cref=\"Gradients\"/> and");
            w.WriteLine("/// <see cref=\"RegularizationLoss\"/> keep the values of the last <see cref=\"Loss\"/>. Allocation-free.");
            w.WriteLine("/// </summary>");
            EmitBatchDocs(w, plan);
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">N is 0 or above MaxBatch, a span does not match N, or a label is out of range.</exception>");
            using (w.Block("public " + t + " Evaluate(" + BatchParameters(plan) + ")"))
            {
                EmitBatchChecks(w, plan);
                w.WriteLine(Span + "<" + t + "> scores = new " + Span + "<" + t + ">(_scores, 0, N * OutputSize);");
                if (plan.Blocks.Any(b => b.HasRelu) || plan.HasLabels)
                {
                    w.WriteLine("_batch = N;");
                }
                w.WriteLine();
                w.WriteLine("// ── forward (1)…(" + plan.LayerCount + "): ForwardCore, the same pass as Loss's ──");
                w.WriteLine("_network.ForwardCore(x, scores, N, _hidden);");
                w.WriteLine();
                EmitHeadLoss(w, plan, gradient: false);
                w.WriteLine("// (no L2 term and no backward pass: Gradients are untouched)");
                w.WriteLine("DataLoss = dataLoss;");
                w.WriteLine("return dataLoss;");
            }

            w.WriteLine();
        }

        // ReadOnlySpan<float> x, ReadOnlySpan<int> y   (float targets for a regression head)
        private static string BatchParameters(NetworkPlan plan) =>
            ReadOnlySpan + "<" + plan.T + "> x, " + ReadOnlySpan + "<" + (plan.HasLabels ? "int" : plan.T) + "> y";

        private static void EmitBatchDocs(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <param name=\"x\">Inputs, [N×" + plan.InputSize + "] row-major.</param>");
            w.WriteLine(plan.HasLabels
                ? "/// <param name=\"y\">Class labels in [0, " + (plan.IsBinary ? 2 : plan.OutputSize) + "); N = y.Length.</param>"
                : "/// <param name=\"y\">Targets, [N×" + plan.OutputSize + "] row-major; N = x.Length / InputSize.</param>");
        }

        // int N = y.Length; and every check, before anything is written.
        private static void EmitBatchChecks(SourceWriter w, NetworkPlan plan)
        {
            if (plan.HasLabels)
            {
                w.WriteLine("int N = y.Length;");
                w.WriteLine(Rt + "Guard.Batch(N, MaxBatch, nameof(y));");
                w.WriteLine(Rt + "Guard.Length(x.Length, N * InputSize, nameof(x), \"y.Length·InputSize\");");
                w.WriteLine(Rt + "Losses.ValidateLabels(y, " + (plan.IsBinary ? 2 : plan.OutputSize) + ");");
            }
            else
            {
                w.WriteLine("int N = x.Length / InputSize;");
                w.WriteLine(Rt + "Guard.Batch(N, MaxBatch, nameof(x));");
                w.WriteLine(Rt + "Guard.Length(x.Length, N * InputSize, nameof(x), \"N·InputSize\");");
                w.WriteLine(Rt + "Guard.Length(y.Length, N * OutputSize, nameof(y), \"N·OutputSize, N = x.Length / InputSize\");");
            }
        }

        // (3) Softmax loss: data_loss = −(1/N)·Σ log p[y]; dscores = (p − 1[y]) / N, or the loss alone for Evaluate
        // (the loss-only kernels return the same bits; their scratch is the runtime's own, per thread).
        private static void EmitHeadLoss(SourceWriter w, NetworkPlan plan, bool gradient)
        {
            var t = plan.T;
            var n = "(" + (plan.LayerCount + 1) + ") ";
            var c = plan.OutputSize;
            var call = t + " dataLoss = " + Rt + "Losses.";
            var d = gradient ? "dscores, " : string.Empty;
            switch (plan.Head)
            {
                case LayerKind.Softmax:
                    w.WriteLine("// " + n + "Softmax loss: p = softmax(scores) row-wise (max subtracted first, so no overflow)");
                    w.WriteLine(gradient
                        ? "//     data_loss = −(1/N)·Σ log p[y]      dscores = (p − 1[y]) / N    [N×" + c + "]"
                        : "//     data_loss = −(1/N)·Σ log p[y]");
                    w.WriteLine(call + "SoftmaxCrossEntropy<" + t + ">(scores, y, " + d + "batch: N, classes: " + c + ");");
                    break;
                case LayerKind.Svm when plan.IsBinary:
                    w.WriteLine("// " + n + "Binary SVM loss: t = 2y − 1 ∈ {−1, +1}");
                    w.WriteLine("//     data_loss = (1/N)·Σ max(0, 1 − t·s)" + (gradient ? "      dscores = −t/N where 1 − t·s > 0, else 0    [N×1]" : string.Empty));
                    w.WriteLine(call + "BinarySvm<" + t + ">(scores, y, " + d + "batch: N);");
                    break;
                case LayerKind.Svm:
                    w.WriteLine("// " + n + "Multiclass SVM loss (margin 1):");
                    w.WriteLine("//     data_loss = (1/N)·Σ_i Σ_{j≠y} max(0, s_j − s_y + 1)");
                    if (gradient)
                    {
                        w.WriteLine("//     dscores[j] = 1/N for each violated margin j ≠ y;  dscores[y] = −(violations)/N    [N×" + c + "]");
                    }
                    w.WriteLine(call + "MulticlassSvm<" + t + ">(scores, y, " + d + "batch: N, classes: " + c + ");");
                    break;
                case LayerKind.Logistic:
                    w.WriteLine("// " + n + "Logistic loss: p = σ(s), data_loss = (1/N)·Σ softplus(s) − y·s   (= −y·log p − (1−y)·log(1−p), stable)");
                    if (gradient)
                    {
                        w.WriteLine("//     dscores = (p − y) / N    [N×1]");
                    }
                    w.WriteLine(call + "LogisticCrossEntropy<" + t + ">(scores, y, " + d + "batch: N);");
                    break;
                case LayerKind.MeanSquaredError:
                    w.WriteLine(gradient
                        ? "// " + n + "Mean squared error: data_loss = (1/2N)·Σ ‖scores − y‖²      dscores = (scores − y) / N    [N×" + c + "]"
                        : "// " + n + "Mean squared error: data_loss = (1/2N)·Σ ‖scores − y‖²");
                    w.WriteLine(call + "MeanSquaredError<" + t + ">(scores, y, " + d + "batch: N, outputs: " + c + ");");
                    break;
            }
        }

        // Per ReLU layer: the fraction of units that were 0 for every sample of the last batch.
        private static void EmitDeadUnits(SourceWriter w, NetworkPlan plan)
        {
            var relus = plan.Blocks.Where(b => b.HasRelu).ToList();
            if (relus.Count == 0)
            {
                return;
            }

            var list = string.Join(", ", relus.Select(b => b.Number));
            w.WriteLine("/// <summary>");
            w.WriteLine("/// The fraction of layer <paramref name=\"layer\"/>'s ReLU units that were 0 for every sample of the last");
            w.WriteLine("/// <see cref=\"Loss\"/> or <see cref=\"Evaluate\"/> batch: dead units pass no gradient (CS231n: watch for them, e.g. after a too-high learning rate).");
            w.WriteLine("/// Layers with a ReLU: " + list + ".");
            w.WriteLine("/// </summary>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">Layer " + "<paramref name=\"layer\"/> has no ReLU.</exception>");
            using (w.Block("public double DeadUnitFraction(int layer)"))
            {
                w.WriteLine("int N = _batch;");
                EmitHiddenSlices(w, plan, "_hidden", string.Empty);
                using (w.Block("return layer switch", "};"))
                {
                    foreach (var b in relus)
                    {
                        var value = b.Stages.First(s => s.Kind == LayerKind.ReLU).Output;
                        var span = value.Name == "scores" ? "new " + Span + "<" + plan.T + ">(_scores, 0, N * OutputSize)" : value.Name;
                        w.WriteLine(b.Number + " => " + Rt + "Activations.DeadFraction<" + plan.T + ">(" + span + ", rows: N, cols: " + value.Size + "),");
                    }

                    w.WriteLine("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"Layers with a ReLU: " + list + ".\"),");
                }
            }

            w.WriteLine();
        }
    }
}
