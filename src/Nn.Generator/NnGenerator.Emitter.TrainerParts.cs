using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>Pieces Loss and Evaluate share, and the trainer's dead-unit report.</summary>
    internal static partial class Emitter
    {
        private const string BatchException = """
            /// <exception cref="global::System.ArgumentException">\
                N is 0 or above MaxBatch, a span does not match N, or a label is out of range.</exception>
            """;

        // The trainer remembers N when DeadUnitFraction or the classifier contract's Scores reads it later.
        private static bool KeepsBatch(NetworkPlan plan) => plan.Blocks.Any(b => b.HasRelu) || plan.HasLabels;

        // ReadOnlySpan<float> x, ReadOnlySpan<int> y   (float targets for a regression head)
        private static string BatchParameters(NetworkPlan plan) =>
            $"{ReadOnlySpanOf(plan.T)} x, {ReadOnlySpanOf(plan.HasLabels ? "int" : plan.T)} y";

        private static void EmitBatchDocs(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine($"""/// <param name="x">Inputs, [N×{plan.InputSize}] row-major.</param>""");
            w.WriteLine(plan.HasLabels
                ? Invariant($"""/// <param name="y">Class labels in [0, {plan.Classes}); N = y.Length.</param>""")
                : Invariant($"""/// <param name="y">Targets, [N×{plan.OutputSize}] row-major; N = x.Length / InputSize.</param>"""));
        }

        // int N = y.Length; and every check, before anything is written.
        private static void EmitBatchChecks(SourceWriter w, NetworkPlan plan)
        {
            if (plan.HasLabels)
            {
                w.WriteLine($$"""
                    int N = y.Length;
                    {{Rt}}Guard.Batch(N, MaxBatch, nameof(y));
                    {{Rt}}Guard.Length(x.Length, (long)N * InputSize, nameof(x), "y.Length·InputSize");
                    {{Rt}}Losses.ValidateLabels(y, {{plan.Classes}});
                    """);
                return;
            }

            w.WriteLine($$"""
                int N = x.Length / InputSize;
                {{Rt}}Guard.Batch(N, MaxBatch, nameof(x));
                {{Rt}}Guard.Length(x.Length, (long)N * InputSize, nameof(x), "N·InputSize");
                {{Rt}}Guard.Length(y.Length, (long)N * OutputSize, nameof(y), "N·OutputSize, N = x.Length / InputSize");
                """);
        }

        // Per ReLU layer: the fraction of units that were 0 for every sample of the last batch.
        private static void EmitDeadUnits(SourceWriter w, NetworkPlan plan)
        {
            var relus = plan.Blocks.Where(b => b.HasRelu).ToList();
            if (relus.Count == 0)
            {
                return;
            }

            var list = Join(", ", relus.Select(b => b.Number));
            w.WriteLine($$"""
                /// <summary>
                /// The fraction of layer <paramref name="layer"/>'s ReLU units that were 0 for every sample of the last
                /// <see cref="Loss"/> or <see cref="Evaluate"/> batch: dead units pass no gradient \
                    (CS231n: watch for them, e.g. after a too-high learning rate).
                /// Layers with a ReLU: {{list}}.
                /// </summary>
                /// <exception cref="global::System.ArgumentOutOfRangeException">Layer <paramref name="layer"/> has no ReLU.</exception>
                """);
            using (w.Block("public double DeadUnitFraction(int layer)"))
            {
                w.WriteLine("int N = _batch;");
                EmitHiddenSlices(w, plan, "_hidden", string.Empty);
                using (w.Block("return layer switch", "};"))
                {
                    foreach (var b in relus)
                    {
                        // 1 => Activations.DeadFraction<float>(h1, rows: N, cols: 100),
                        var value = b.Stages.First(s => s.Kind == LayerKind.ReLU).Output;
                        var span = value.Name == "scores" ? $"new {SpanOf(plan.T)}(_scores, 0, N * OutputSize)" : value.Name;
                        w.WriteLine($"{b.Number} => {Rt}Activations.DeadFraction<{plan.T}>({span}, rows: N, cols: {value.Size}),");
                    }

                    // _ => throw new ArgumentOutOfRangeException(…),
                    w.WriteLine($$"""
                        _ => throw new global::System.ArgumentOutOfRangeException(\
                            nameof(layer), layer, "Layers with a ReLU: {{list}}."),
                        """);
                }
            }

            w.WriteLine();
        }
    }
}
