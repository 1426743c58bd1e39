using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>The nested Trainer: its buffers, gradient views, Loss (forward + backward), Evaluate and Step.</summary>
    internal static partial class Emitter
    {
        private static void EmitTrainer(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, cls = plan.ClassName;
            var contract = $"global::Nn.IClassifierTrainer<{t}>";
            w.WriteLine($$"""

                /// <summary>
                /// Trains a <see cref="{{cls}}"/> on minibatches of up to <see cref="MaxBatch"/> samples. Owns every buffer the
                /// forward and backward passes need, allocated once here: <see cref="Loss"/>, <see cref="Evaluate"/> and \
                    <see cref="Step"/> allocate nothing.
                /// Not thread-safe: use one trainer per thread.
                /// </summary>
                """);
            using (w.Block($"public sealed class Trainer{(plan.HasLabels ? " : " + contract : string.Empty)}"))
            {
                EmitTrainerBuffers(w, plan);
                foreach (var tensor in plan.Parameters)
                {
                    EmitView(w, plan, "Gradients", "d" + tensor.Name, "gradient of " + tensor.Name, tensor);
                }

                EmitDeadUnits(w, plan);
                w.WriteLine($$"""
                    /// <summary>Data loss of the last batch (mean {{LayerKinds.DisplayName(plan.Head!.Value)}} loss).</summary>
                    public {{t}} DataLoss { get; private set; }

                    /// <summary>L2 loss of the last batch, ½λ·ΣW² over the weights.</summary>
                    public {{t}} RegularizationLoss { get; private set; }

                    """);
                EmitLoss(w, plan);
                if (plan.TrainingDiffers)
                {
                    EmitForwardTraining(w, plan);
                }

                EmitEvaluate(w, plan);
                w.WriteLine($$"""
                    /// <summary>Plain SGD: Parameters −= learningRate · Gradients.</summary>
                    {{Hot}}
                    public void Step({{t}} learningRate) => {{Rt}}ParameterUpdates.Sgd<{{t}}>(_network.Parameters, Gradients, learningRate);

                    /// <summary>One update of the network's Parameters by <paramref name="optimizer"/> (momentum, Adam, …) \
                        from Gradients.</summary>
                    {{Hot}}
                    public void Step(global::Nn.IOptimizer<{{t}}> optimizer, {{t}} learningRate) => \
                        optimizer.Step(_network.Parameters, Gradients, learningRate);
                    """);
                if (plan.HasLabels)
                {
                    // What Nn.Training.Fit needs beyond the public members above.
                    string input = ReadOnlySpanOf(t);
                    w.WriteLine($$"""

                        int {{contract}}.InputSize => InputSize;

                        int {{contract}}.OutputSize => OutputSize;

                        bool {{contract}}.IsBinary => {{(plan.IsBinary ? "true" : "false")}};

                        {{input}} {{contract}}.Scores => new {{input}}(_scores, 0, _batch * OutputSize);

                        {{t}}[] {{contract}}.Parameters => _network.Parameters;

                        {{t}}[] {{contract}}.State => {{(plan.State.Count > 0 ? "_network.State" : $"global::System.Array.Empty<{t}>()")}};

                        void {{contract}}.Predict({{input}} x, global::System.Span<int> labels) => _network.Predict(x, labels);
                        """);
                    if (t != "double")
                    {
                        // The contract's Loss takes λ as T; the public one takes a double (as TrainingOptions.Regularization does).
                        w.WriteLine();
                        w.WriteLine($"{t} {contract}.Loss({BatchParameters(plan)}, {t} reg) => Loss(x, y, reg);");
                    }
                }
            }
        }

        // private readonly float[] _hidden; …, the constructor that allocates them, Network, MaxBatch, Gradients.
        private static void EmitTrainerBuffers(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, cls = plan.ClassName;
            var seedDoc = plan.HasDropout ? " Dropout masks are drawn from <paramref name=\"seed\"/>." : string.Empty;
            var seedParameter = plan.HasDropout ? ", ulong seed = 0" : string.Empty;
            var caches = string.Concat(plan.Blocks.SelectMany(b => b.Stages).Where(s => s.Cache is not null).Select(s => s.Kind == LayerKind.BatchNorm
                ? Invariant($"\n    _xhat{s.Cache} = new {t}[maxBatch * {s.Output.Size}];\n    _mean{s.Cache} = new {t}[{s.Output.Size}];")
                    + Invariant($"\n    _invstd{s.Cache} = new {t}[{s.Output.Size}];")
                : Invariant($"\n    _{s.Cache} = new {t}[maxBatch * {s.Output.Size}];")))
                + (plan.HasDropout ? "\n    _rng = new global::Nn.Rng(seed);" : string.Empty);
            var reseed = plan.HasDropout
                ? """

                    /// <summary>Restarts the dropout masks' random sequence from <paramref name="seed"/>, so the next Loss draws \
                        the masks a new trainer with that seed would (a gradient check calls this before every Loss).</summary>
                    public void ResetDropout(ulong seed) => _rng = new global::Nn.Rng(seed);

                    """
                : string.Empty;
            w.WriteLine($$"""
                private readonly {{cls}} _network;
                private readonly {{t}}[] _hidden;   // {{HiddenLayout(plan)}}, N ≤ MaxBatch
                private readonly {{t}}[] _dhidden;  // their gradients, same layout
                private readonly {{t}}[] _scores;   // [N×{{plan.OutputSize}}]
                private readonly {{t}}[] _dscores;  // [N×{{plan.OutputSize}}]
                """);
            foreach (var stage in plan.Blocks.SelectMany(b => b.Stages).Where(s => s.Cache is not null))
            {
                w.WriteLine(stage.Kind == LayerKind.BatchNorm
                    ? Invariant($$"""
                        private readonly {{t}}[] _xhat{{stage.Cache}};   // BatchNorm {{stage.Cache}}: normalized values [N×{{stage.Output.Size}}]
                        private readonly {{t}}[] _mean{{stage.Cache}};   // its batch mean [{{stage.Output.Size}}]
                        private readonly {{t}}[] _invstd{{stage.Cache}}; // its 1/√(σ² + ε) [{{stage.Output.Size}}]
                        """)
                    : Invariant($"private readonly {t}[] _{stage.Cache};   // Dropout's mask, 0 or 1/(1 − p) [N×{stage.Output.Size}]"));
            }

            if (plan.HasDropout)
            {
                w.WriteLine("private global::Nn.Rng _rng;       // draws the dropout masks");
            }

            if (KeepsBatch(plan))
            {
                w.WriteLine("private int _batch;                // N of the last Loss or Evaluate call");
            }

            w.WriteLine($$"""

                /// <summary>Allocates the buffers for batches of up to <paramref name="maxBatch"/> samples.{{seedDoc}}</summary>
                public Trainer({{cls}} network, int maxBatch{{seedParameter}})
                {
                    _network = network ?? throw new global::System.ArgumentNullException(nameof(network));
                    {{Rt}}Guard.MaxBatch(maxBatch, valuesPerSample: {{System.Math.Max(plan.HiddenSize, plan.OutputSize)}}, nameof(maxBatch));
                    MaxBatch = maxBatch;
                    _hidden = new {{t}}[maxBatch * {{plan.HiddenSize}}];
                    _dhidden = new {{t}}[maxBatch * {{plan.HiddenSize}}];
                    _scores = new {{t}}[maxBatch * OutputSize];
                    _dscores = new {{t}}[maxBatch * OutputSize];{{caches}}
                }
                {{reseed}}
                /// <summary>The network whose <see cref="{{cls}}.Parameters"/> this trainer updates.</summary>
                public {{cls}} Network => _network;

                /// <summary>The largest batch <see cref="Loss"/> accepts.</summary>
                public int MaxBatch { get; }

                /// <summary>Gradient of the last <see cref="Loss"/>, laid out like <see cref="{{cls}}.Parameters"/>.</summary>
                public {{t}}[] Gradients { get; } = new {{t}}[ParameterCount];

                """);
        }

        // Loss(x, y, reg): checks, ForwardCore, the head's loss and dscores, L2, then backward block by block.
        private static void EmitLoss(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            var weights = plan.Parameters.Where(p => p.Role == TensorRole.Weights).Select(p => p.Name).ToList();
            w.WriteLine("""
                /// <summary>
                /// Forward and backward pass on one minibatch: returns data loss + ½λ·ΣW² and fills <see cref="Gradients"/>.
                /// </summary>
                """);
            EmitBatchDocs(w, plan);
            w.WriteLine($"""
                /// <param name="reg">L2 strength λ, applied to weights only; a double, like TrainingOptions.Regularization.</param>
                {BatchException}
                {Hot}
                """);
            using (w.Block($"public {t} Loss({BatchParameters(plan)}, double reg = 0)"))
            {
                EmitBatchChecks(w, plan);
                w.WriteLine(t == "double" ? "double lambda = reg;" : $"{t} lambda = ({t})reg;   // λ in the network's precision");
                // the weights, and the γ a BatchNorm's backward pass reads
                var used = plan.Parameters.Where(p => p.Role is TensorRole.Weights or TensorRole.Gamma).Select(p => p.Name);
                w.WriteLine($"{span} {string.Join(", ", used.Select(n => $"{n} = _network.{n}"))};");
                EmitViewLocals(w, plan, "this", "d", withState: false);
                EmitHiddenSlices(w, plan, "_hidden", string.Empty);
                EmitHiddenSlices(w, plan, "_dhidden", "d");
                w.WriteLine($$"""
                    {{span}} scores = new {{span}}(_scores, 0, N * OutputSize);
                    {{span}} dscores = new {{span}}(_dscores, 0, N * OutputSize);
                    """);
                if (KeepsBatch(plan))
                {
                    w.WriteLine("_batch = N;");
                }

                w.WriteLine(plan.TrainingDiffers
                    ? Invariant($"""

                        // ── forward (1)…({plan.LayerCount}): ForwardTraining (batch statistics, dropout masks), keeping every value \
                            for the backward pass ──
                        ForwardTraining(x, scores, N);

                        """)
                    : Invariant($"""

                        // ── forward (1)…({plan.LayerCount}): ForwardCore, keeping every value for the backward pass ──
                        _network.ForwardCore(x, scores, N, _hidden);

                        """));
                EmitHeadLoss(w, plan, gradient: true);

                // float regLoss = lambda == 0 ? 0 : lambda * (
                //     Regularization.L2<float>(W1)
                //     + …);
                var squares = string.Join(" + ", weights.Select(n => $"Σ{n}²"));
                // one term per line, so a deep network's sum stays readable
                var sum = string.Join("\n    + ", weights.Select(n => $"{Rt}Regularization.L2<{t}>({n})"));
                sum = weights.Count > 1 ? "\n    " + sum : sum;
                w.WriteLine($$"""
                    // L2: reg_loss = ½λ·({{squares}})   (weights only, not biases; no pass over the weights when λ = 0)
                    {{t}} regLoss = lambda == 0 ? 0 : lambda * ({{sum}});
                    """);
                foreach (var block in plan.Blocks.Reverse())
                {
                    w.WriteLine();
                    EmitAffineBackward(w, plan, block);
                }

                w.WriteLine("""

                    DataLoss = dataLoss;
                    RegularizationLoss = regLoss;
                    return dataLoss + regLoss;
                    """);
            }

            w.WriteLine();
        }

        // The forward pass as training runs it, for networks whose training pass differs from inference's (BatchNorm, Dropout):
        // the same blocks as ForwardCore, with batch statistics, running-statistics updates and dropout masks.
        private static void EmitForwardTraining(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            w.WriteLine("""
                // Forward pass for N = batch rows as training runs it: ForwardCore's blocks, but each BatchNorm normalizes with
                // the batch's own statistics (and updates the running ones) and each Dropout draws a mask. Fills _hidden.
                """);
            w.WriteLine(Hot);
            using (w.Block($"private void ForwardTraining({ReadOnlySpanOf(t)} x, {span} scores, int N)"))
            {
                // one block's tensors per line
                var tensors = plan.Blocks.Select(b => string.Join(", ", b.Tensors.Concat(b.State).Select(p => $"{p.Name} = _network.{p.Name}")));
                w.WriteLine($"{span} {string.Join(",\n    ", tensors)};");
                EmitHiddenSlices(w, plan, "_hidden", string.Empty);
                foreach (var block in plan.Blocks)
                {
                    EmitAffineForward(w, plan, block, training: true);
                }
            }

            w.WriteLine();
        }

        // Loss without its backward half: the same checks, the same ForwardCore, the head's loss without dscores.
        private static void EmitEvaluate(SourceWriter w, NetworkPlan plan)
        {
            string t = plan.T, span = SpanOf(t);
            w.WriteLine("""
                /// <summary>
                /// Forward pass and data loss on one minibatch, without the backward pass (which costs <see cref="Loss"/> \
                    one to two forward passes),
                /// for validation and test sets: returns the mean data loss, the same value <see cref="Loss"/> puts in <see cref="DataLoss"/>.
                /// Sets <see cref="DataLoss"/> and the scores as <see cref="Loss"/> does; <see cref="Gradients"/> and
                /// <see cref="RegularizationLoss"/> keep the values of the last <see cref="Loss"/>. Allocation-free.
                /// </summary>
                """);
            EmitBatchDocs(w, plan);
            w.WriteLine(BatchException);
            w.WriteLine(Hot);
            using (w.Block($"public {t} Evaluate({BatchParameters(plan)})"))
            {
                EmitBatchChecks(w, plan);
                w.WriteLine($"{span} scores = new {span}(_scores, 0, N * OutputSize);");
                if (KeepsBatch(plan))
                {
                    w.WriteLine("_batch = N;");
                }

                w.WriteLine($$"""

                    // ── forward (1)…({{plan.LayerCount}}): ForwardCore, the same pass as Loss's ──
                    _network.ForwardCore(x, scores, N, _hidden);

                    """);
                EmitHeadLoss(w, plan, gradient: false);
                w.WriteLine("""
                    // (no L2 term and no backward pass: Gradients are untouched)
                    DataLoss = dataLoss;
                    return dataLoss;
                    """);
            }

            w.WriteLine();
        }
    }
}
