using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>The network's description of itself: constants, the parameter buffer and its views, initialization, weights files.</summary>
    internal static partial class Emitter
    {
        // public const int InputSize = 2; … and per layer Layer1ParameterCount, Layer1MultiplyAdds
        private static void EmitConstants(SourceWriter w, NetworkPlan plan)
        {
            var parameters = string.Join(" + ", plan.Blocks.Select(b => Invariant($"({LayerParameters(b)})")));
            var neurons = Join(" + ", plan.Blocks.Select(b => b.Output.Size));
            var multiplyAdds = string.Join(" + ", plan.Blocks.Select(b => Invariant($"{b.In}·{b.Out}")));
            w.WriteLine($$"""
                /// <summary>Inputs per sample: {{Shape(plan)}} flattened = {{plan.InputSize}}.</summary>
                public const int InputSize = {{plan.InputSize}};

                /// <summary>Outputs (scores) per sample.</summary>
                public const int OutputSize = {{plan.OutputSize}};

                /// <summary>All weights and biases{{(plan.State.Count > 0 ? " (and BatchNorm's γ and β)" : string.Empty)}}: \
                    {{parameters}}.</summary>
                public const int ParameterCount = {{plan.ParameterCount}};

                /// <summary>Units of all Affine layers after Maxout grouping (the input is not counted): {{neurons}}.</summary>
                public const int NeuronCount = {{plan.NeuronCount}};

                /// <summary>Affine layers, counted the CS231n way (the input layer is not a layer).</summary>
                public const int LayerCount = {{plan.LayerCount}};

                /// <summary>Multiply-adds of one sample's forward pass: {{multiplyAdds}}.</summary>
                public const int MultiplyAdds = {{plan.MultiplyAdds}};

                """);
            foreach (var b in plan.Blocks)
            {
                w.WriteLine($$"""
                    /// <summary>Layer {{b.Number}}: {{LayerParameters(b, words: true)}}.</summary>
                    public const int Layer{{b.Number}}ParameterCount = {{b.ParameterCount}};

                    /// <summary>Layer {{b.Number}}: multiply-adds per sample, {{b.In}}·{{b.Out}}.</summary>
                    public const int Layer{{b.Number}}MultiplyAdds = {{b.MultiplyAdds}};

                    """);
            }
        }

        // 2·100 + 100 (+ 100 + 100 with a BatchNorm), or in words: 2·100 weights + 100 biases (+ 100 γ + 100 β)
        private static string LayerParameters(AffineBlock b, bool words = false)
        {
            var text = words ? Invariant($"{b.In}·{b.Out} weights + {b.Out} biases") : Invariant($"{b.In}·{b.Out} + {b.Out}");
            return b.BatchNorm is null ? text : text + (words ? Invariant($" + {b.Out} γ + {b.Out} β") : Invariant($" + {b.Out} + {b.Out}"));
        }

        // public float[] Parameters { get; } = new float[ParameterCount];   and a view per tensor: W1, b1, …
        private static void EmitParameters(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine($$"""
                /// <summary>Every parameter in one buffer, back to back: {{string.Join(" | ", plan.Parameters.Select(p => p.Name))}}.</summary>
                public {{plan.T}}[] Parameters { get; } = new {{plan.T}}[ParameterCount];

                """);
            foreach (var b in plan.Blocks)
            {
                foreach (var tensor in b.Tensors)
                {
                    EmitView(w, plan, "Parameters", tensor.Name, Describe(b, tensor), tensor);
                }
            }

            if (plan.State.Count == 0)
            {
                return;
            }

            // public const int StateCount = 200;  public float[] State …   and a view per tensor: runningMean1, runningVar1, …
            w.WriteLine($$"""
                /// <summary>Values kept besides the parameters: {{string.Join(" | ", plan.State.Select(p => p.Name))}}.</summary>
                public const int StateCount = {{plan.StateCount}};

                /// <summary>
                /// BatchNorm's running statistics, back to back: {{string.Join(" | ", plan.State.Select(p => p.Name))}}. Training updates them
                /// (the trainer's Loss), inference reads them; optimizers never touch them; weights files save and load them.
                /// </summary>
                public {{plan.T}}[] State { get; } = new {{plan.T}}[StateCount];

                """);
            foreach (var b in plan.Blocks)
            {
                foreach (var tensor in b.State)
                {
                    EmitView(w, plan, "State", tensor.Name, Describe(b, tensor), tensor);
                }
            }
        }

        // weights of layer 1, [2×100] row-major
        private static string Describe(AffineBlock b, TensorPlan tensor) => tensor.Role switch
        {
            TensorRole.Weights => Invariant($"weights of layer {b.Number}, [{b.In}×{b.Out}] row-major"),
            TensorRole.Biases => Invariant($"biases of layer {b.Number}, [{b.Out}]"),
            TensorRole.Gamma => Invariant($"BatchNorm scale γ of layer {b.Number}, [{b.Out}]"),
            TensorRole.Beta => Invariant($"BatchNorm shift β of layer {b.Number}, [{b.Out}]"),
            TensorRole.RunningMean => Invariant($"BatchNorm running mean of layer {b.Number}, [{b.Out}]"),
            TensorRole.RunningVariance => Invariant($"BatchNorm running variance (biased) of layer {b.Number}, [{b.Out}]"),
            _ => throw new System.InvalidOperationException($"No description for tensor role {tensor.Role}."),
        };

        // public Span<float> W1 => new Span<float>(Parameters, 0, 200);
        private static void EmitView(SourceWriter w, NetworkPlan plan, string buffer, string name, string what, TensorPlan tensor)
        {
            var span = SpanOf(plan.T);
            w.WriteLine($$"""
                /// <summary>{{name}}: {{what}}; {{buffer}}[{{tensor.Offset}}..{{tensor.End}}).</summary>
                public {{span}} {{name}} => new {{span}}({{buffer}}, {{tensor.Offset}}, {{tensor.Length}});

                """);
        }

        // public SpiralNet(ulong seed = 0) => Initialize(seed);   and Initialize, one line of math per tensor
        private static void EmitInitialize(SourceWriter w, NetworkPlan plan)
        {
            if (plan.Model.WeightsPath is { } weights)
            {
                // [Weights("fashion.safetensors")]: new FashionNet() starts with the embedded file; a seed still gives fresh weights
                w.WriteLine($$"""
                    /// <summary>
                    /// Creates the network with the weights of <c>{{Xml(weights)}}</c>, embedded in this assembly by [Weights] and checked
                    /// against this declaration when it was compiled (<see cref="LoadEmbeddedWeights"/>).
                    /// The file: {{Xml(plan.Model.WeightsSummary ?? "its header was not given to the compiler (NnWeights item missing)")}}.
                    /// </summary>
                    public {{plan.ClassName}}() => LoadEmbeddedWeights();

                    /// <summary>Creates the network with weights drawn by <see cref="Initialize"/> from <paramref name="seed"/> \
                        instead of the embedded ones, e.g. to train it anew.</summary>
                    public {{plan.ClassName}}(ulong seed) => Initialize(seed);

                    /// <summary>The manifest resource the build embeds <c>{{Xml(weights)}}</c> as (the NnWeights item of the project file).</summary>
                    public const string WeightsResource = "{{Escape(plan.Model.WeightsResource!)}}";

                    /// <summary>Loads the embedded weights into <see cref="Parameters"/> again, as <c>new {{plan.ClassName}}()</c> does.</summary>
                    /// <exception cref="global::System.InvalidOperationException">The assembly holds no such resource: the project \
                        lists no <c>&lt;NnWeights Include="{{Xml(weights)}}" /&gt;</c> (NN0028 reports that at compile time).</exception>
                    """);
                using (w.Block("public void LoadEmbeddedWeights()"))
                {
                    var options = plan.Model.WeightsModules.Count == 0
                        ? "null"
                        : "new global::Nn.WeightsOptions { Modules = new[] { "
                            + Join(", ", plan.Model.WeightsModules.Select(m => "\"" + Escape(m) + "\"")) + " } }";
                    w.WriteLine($$"""
                        using var stream = typeof({{plan.ClassName}}).Assembly.GetManifestResourceStream(WeightsResource)
                            ?? throw new global::System.InvalidOperationException(
                                "{{plan.ClassName}}'s weights '{{Escape(weights)}}' are not embedded in "
                                + typeof({{plan.ClassName}}).Assembly.GetName().Name
                                + ": add <NnWeights Include=\"{{Escape(weights)}}\" /> to the project file (docs/interop.md).");
                        Load(stream, {{options}});
                        """);
                }
            }
            else
            {
                w.WriteLine($$"""
                    /// <summary>Creates the network with weights drawn by <see cref="Initialize"/> from <paramref name="seed"/>.</summary>
                    public {{plan.ClassName}}(ulong seed = 0) => Initialize(seed);
                    """);
            }

            w.WriteLine($$"""

                /// <summary>
                /// Draws every weight from a seeded normal distribution and sets every bias to 0. Each layer's scale follows its
                /// Init: by default He √(2/fan_in) before ReLU, LeakyReLU and Maxout and Xavier √(1/fan_in) otherwise.
                /// <paramref name="weightScale"/>, when given, replaces it for every layer (CS231n's case study uses 0.01).
                /// </summary>
                """);
            using (w.Block($"public void Initialize(ulong seed, {plan.T}? weightScale = null)"))
            {
                w.WriteLine($"var rng = new global::Nn.Rng(seed);");
                foreach (var b in plan.Blocks)
                {
                    foreach (var tensor in b.Tensors.Concat(b.State))
                    {
                        EmitInitializeTensor(w, plan, b, tensor);
                    }
                }
            }

            w.WriteLine();
        }

        private static void EmitInitializeTensor(SourceWriter w, NetworkPlan plan, AffineBlock b, TensorPlan tensor)
        {
            switch (tensor.Role)
            {
                case TensorRole.Weights:
                    // W1 ~ N(0, 1)·√(2/2), the scale chosen by InitOf
                    var (formula, scale, why) = InitOf(b, plan.T);
                    w.WriteLine($$"""
                        // {{tensor.Name}} ~ N(0, 1)·{{formula}}   ({{why}})
                        {{Rt}}Initializers.Gaussian<{{plan.T}}>({{tensor.Name}}, weightScale ?? {{scale}}, ref rng);
                        """);
                    break;
                case TensorRole.Biases:
                    // b1 = 0
                    w.WriteLine($$"""
                        // {{tensor.Name}} = 0
                        {{tensor.Name}}.Clear();
                        """);
                    break;
                case TensorRole.Gamma or TensorRole.RunningVariance:
                    // gamma1 = 1   (BatchNorm starts as the identity on normalized values; the running variance as PyTorch's)
                    w.WriteLine($$"""
                        // {{tensor.Name}} = 1
                        {{tensor.Name}}.Fill(1);
                        """);
                    break;
                case TensorRole.Beta or TensorRole.RunningMean:
                    w.WriteLine($$"""
                        // {{tensor.Name}} = 0
                        {{tensor.Name}}.Clear();
                        """);
                    break;
                default:
                    throw new System.InvalidOperationException($"No initialization for tensor role {tensor.Role}.");
            }
        }

        // He before a rectifier, Xavier otherwise, unless the layer says which.
        private static (string Formula, string Code, string Why) InitOf(AffineBlock b, string t)
        {
            // the first activation decides (a BatchNorm before it does not change what the activation needs)
            var first = b.Stages.FirstOrDefault(s => s.Layer.Role == LayerRole.Activation)?.Kind;
            var init = b.Init != InitKind.Auto ? b.Init : first is { } k && LayerKinds.IsRectifier(k) ? InitKind.He : InitKind.Xavier;
            var why = b.Init != InitKind.Auto ? Invariant($"Init.{b.Init} as declared")
                : init == InitKind.He ? Invariant($"He, layer {b.Number} feeds a {LayerKinds.DisplayName(first!.Value)}")
                : first is { } f ? Invariant($"Xavier, layer {b.Number} feeds a {LayerKinds.DisplayName(f)}")
                : Invariant($"Xavier, layer {b.Number} is linear");
            return init switch
            {
                InitKind.He => (Invariant($"√(2/{b.In})"), Invariant($"({t})global::System.Math.Sqrt(2.0 / {b.In})"), why),
                InitKind.Fixed => (Literal(b.Scale, "double"), Literal(b.Scale, t), why),
                _ => (Invariant($"√(1/{b.In})"), Invariant($"({t})global::System.Math.Sqrt(1.0 / {b.In})"), why),
            };
        }

        // Architecture, Tensors, Layers, Save, Load: safetensors files named like the views.
        private static void EmitWeightsFile(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine($$"""
                /// <summary>The declaration, as written into weights files and checked when they are loaded.</summary>
                public const string Architecture = "{{Architecture(plan)}}";

                /// <summary>The tensors of <see cref="Parameters"/>: name, offset and shape, as saved in weights files.</summary>
                public static global::System.Collections.Generic.IReadOnlyList<global::Nn.TensorInfo> Tensors { get; } = \
                    new global::Nn.TensorInfo[]
                {
                """);
            foreach (var tensor in plan.Parameters)
            {
                // new("W1", 0, new[] { 2, 100 }),
                w.WriteLine($$"""    new("{{tensor.Name}}", {{tensor.Offset}}, new[] { {{Join(", ", tensor.Shape)}} }),""");
            }

            w.WriteLine("};");
            if (plan.State.Count > 0)
            {
                w.WriteLine("""

                    /// <summary>The tensors of <see cref="State"/>: name, offset and shape, saved in weights files \
                        after <see cref="Tensors"/>.</summary>
                    public static global::System.Collections.Generic.IReadOnlyList<global::Nn.TensorInfo> StateTensors { get; } = \
                        new global::Nn.TensorInfo[]
                    {
                    """);
                foreach (var tensor in plan.State)
                {
                    w.WriteLine($$"""    new("{{tensor.Name}}", {{tensor.Offset}}, new[] { {{Join(", ", tensor.Shape)}} }),""");
                }

                w.WriteLine("};");
            }

            w.WriteLine("""

                /// <summary>The forward pass step by step (scores, before any head), for exporters such as Nn.Onnx.</summary>
                public static global::System.Collections.Generic.IReadOnlyList<global::Nn.LayerInfo> Layers { get; } = \
                    new global::Nn.LayerInfo[]
                {
                """);
            foreach (var b in plan.Blocks)
            {
                // new(global::Nn.LayerOp.Affine, 2, 100, "W1", "b1"),   then one line per stage
                w.WriteLine($"""    new(global::Nn.LayerOp.Affine, {b.In}, {b.Out}, "{b.W}", "{b.B}"),""");
                foreach (var stage in b.Stages.Where(s => !s.TrainingOnly))
                {
                    var argument = StageArgument(stage) is { } value ? ", Argument: " + Literal(value, "double") : string.Empty;
                    if (stage.Kind == LayerKind.BatchNorm)
                    {
                        // new(LayerOp.BatchNorm, 100, 100, "gamma1", "beta1", Argument: 1E-05, Mean: "runningMean1", Variance: "runningVar1"),
                        var k = stage.Cache;
                        var epsilon = Literal(stage.Layer.Epsilon, "double");
                        argument = $", \"gamma{k}\", \"beta{k}\", Argument: {epsilon}, Mean: \"runningMean{k}\", Variance: \"runningVar{k}\"";
                    }

                    w.WriteLine($"    new(global::Nn.LayerOp.{stage.Kind}, {stage.Input.Size}, {stage.Output.Size}{argument}),");
                }
            }

            var t = plan.T;
            var state = plan.State.Count > 0 ? "State, StateTensors, " : string.Empty;
            var stateOrNone = plan.State.Count > 0 ? state : "default, global::System.Array.Empty<global::Nn.TensorInfo>(), ";
            var andState = plan.State.Count > 0 ? " and <see cref=\"State\"/>" : string.Empty;
            var load = $"Parameters, Tensors, {stateOrNone}Architecture, Layers, options";
            w.WriteLine($$"""
                };

                /// <summary>
                /// Saves <see cref="Parameters"/>{{andState}} as a safetensors file, one tensor per entry of <see cref="Tensors"/>,
                /// written under a temporary name and renamed, so a crash never destroys the previous file.
                /// </summary>
                public void Save(string path) => global::Nn.Safetensors.Save<{{t}}>(path, Parameters, Tensors, {{state}}Architecture);

                /// <summary>Saves in <paramref name="layout"/>: Nn's, or a PyTorch state_dict of the equivalent nn.Sequential.</summary>
                public void Save(string path, global::Nn.WeightsLayout layout) =>
                    global::Nn.Safetensors.Save<{{t}}>(path, layout, Parameters, Tensors, {{stateOrNone}}Architecture, Layers);

                /// <summary>
                /// Loads a safetensors file into <see cref="Parameters"/>{{andState}} after checking every tensor's name, dtype
                /// and shape; a bad file changes nothing. Reads Nn's layout and PyTorch state_dicts (see <see cref="global::Nn.WeightsLayout"/>).
                /// </summary>
                /// <exception cref="global::System.IO.InvalidDataException">\
                    The file is truncated, corrupted, foreign, or made for another architecture.</exception>
                public void Load(string path, global::Nn.WeightsOptions? options = null) =>
                    global::Nn.Safetensors.Load<{{t}}>(path, {{load}});

                /// <summary>As <see cref="Load(string, global::Nn.WeightsOptions?)"/>, from a stream read to its end.</summary>
                public void Load(global::System.IO.Stream stream, global::Nn.WeightsOptions? options = null) =>
                    global::Nn.Safetensors.Load<{{t}}>(stream, {{load}});

                /// <summary>As <see cref="Load(string, global::Nn.WeightsOptions?)"/>, from a whole file's bytes in memory.</summary>
                public void Load(global::System.ReadOnlySpan<byte> bytes, global::Nn.WeightsOptions? options = null) =>
                    global::Nn.Safetensors.Load<{{t}}>(bytes, {{load}});

                """);
        }

        // [Input(2)] [Affine(100), ReLU] [Affine(3), Softmax]
        // A path or name inside a C# string literal.
        private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

        // A path inside an XML doc comment.
        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        internal static string Architecture(NetworkPlan plan)
        {
            var precision = plan.T == "double" ? ", Precision = Precision.Double" : string.Empty;
            var parts = new System.Collections.Generic.List<string> { $"[Input({Join(", ", plan.InputShape)}{precision})]" };
            foreach (var b in plan.Blocks)
            {
                var stages = string.Concat(b.Stages.Select(s => ", " + StageName(s)));
                var head = b.IsLast && plan.Head is { } h ? ", " + LayerKinds.DisplayName(h) : string.Empty;
                parts.Add(Invariant($"[Affine({b.Out}){stages}{head}]"));
            }

            return string.Join(" ", parts);
        }
    }
}
