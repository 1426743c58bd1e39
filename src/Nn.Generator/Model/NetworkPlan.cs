using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Nn.Generator.Model;

/// <summary>
/// Every fact about one network, worked out once from its <see cref="NetworkModel"/>: blocks and their sizes,
/// value and tensor names, the parameter layout, the head and what it implies (labels, binary, Predict), and
/// the members the generated class gets. The validator, the analyzer (through the validator) and the emitter
/// read it; none of them works these facts out again.
/// </summary>
/// <remarks>
/// Built for any declaration, valid or not: what is broken is left out or left unknown (a size of 0), never
/// guessed, so the validator can ask it about a network it is about to reject. The emitter only ever sees
/// plans of valid networks, in which every size is known. Not cached: the pipeline caches the model and
/// builds the plan from it where it is needed.
/// </remarks>
internal sealed class NetworkPlan
{
    private readonly Dictionary<int, int> _widthInto;
    private readonly HashSet<string> _members;

    private NetworkPlan(
        NetworkModel model, List<int> inputShape, long inputElements, List<AffineBlock> blocks, LayerModel? head, Dictionary<int, int> widthInto)
    {
        Model = model;
        InputShape = inputShape;
        InputElements = inputElements;
        Blocks = blocks;
        HeadLayer = head;
        _widthInto = widthInto;
        Parameters = blocks.SelectMany(b => b.Tensors).ToList();
        State = blocks.SelectMany(b => b.State).ToList();
        Hidden = blocks.SelectMany(b => b.Values).Where(v => v.Name != "scores").ToList();
        Members = ListMembers();
        _members = new HashSet<string>(Members);
    }

    public NetworkModel Model { get; }

    public string ClassName => Model.ClassName;

    /// <summary>The C# element type: <c>float</c> or <c>double</c>.</summary>
    public string T => Model.ElementType == ElementType.Double ? "double" : "float";

    /// <summary>One sample's shape as declared by the first <c>[Input]</c> (empty when it has none or is broken).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>The product of <see cref="InputShape"/>, counted past int.MaxValue (then stopped); 0 when a dimension is not positive.</summary>
    public long InputElements { get; }

    /// <summary>Inputs per sample after flattening; 0 when unknown.</summary>
    public int InputSize => InputElements is > 0 and <= int.MaxValue ? (int)InputElements : 0;

    public IReadOnlyList<AffineBlock> Blocks { get; }

    /// <summary>The head attribute (the last one, should there be several), or null for an inference-only network.</summary>
    public LayerModel? HeadLayer { get; }

    public LayerKind? Head => HeadLayer?.Kind;

    public int OutputSize => Blocks.Count == 0 ? 0 : Blocks[Blocks.Count - 1].Output.Size;

    /// <summary>Every tensor of the <c>Parameters</c> buffer, back to back: <c>W1 | b1 | W2 | b2 | …</c>.</summary>
    public IReadOnlyList<TensorPlan> Parameters { get; }

    public int ParameterCount => Blocks.Sum(b => b.ParameterCount);

    /// <summary>Every tensor of the <c>State</c> buffer (BatchNorm's running statistics), back to back; empty for most networks.</summary>
    public IReadOnlyList<TensorPlan> State { get; }

    public int StateCount => State.Sum(t => t.Length);

    /// <summary>Whether the trainer's forward pass differs from inference's (a BatchNorm or a Dropout): it then gets its own.</summary>
    public bool TrainingDiffers => Blocks.Any(b => b.Stages.Any(s => s.Mode != StageMode.Always));

    /// <summary>Whether any stage draws random numbers in training (Dropout): the trainer then owns a seeded generator.</summary>
    public bool HasDropout => Blocks.Any(b => b.Stages.Any(s => s.Kind == LayerKind.Dropout));

    /// <summary>Units of the Affine layers after Maxout grouping.</summary>
    public int NeuronCount => Blocks.Sum(b => b.Output.Size);

    public int LayerCount => Blocks.Count;

    public int MultiplyAdds => Blocks.Sum(b => b.MultiplyAdds);

    /// <summary>Every value kept between the input and <c>scores</c>, back to back: the hidden workspace layout.</summary>
    public IReadOnlyList<Value> Hidden { get; }

    /// <summary>Values per sample in <see cref="Hidden"/>.</summary>
    public int HiddenSize => Hidden.Sum(v => v.Size);

    /// <summary>Whether the head takes class labels (as opposed to real-valued targets).</summary>
    public bool HasLabels => Head is LayerKind.Softmax or LayerKind.Svm or LayerKind.Logistic;

    /// <summary>One output read as two classes: Logistic, or a binary SVM. The one place this is decided.</summary>
    public bool IsBinary => Head is LayerKind.Logistic || (Head is LayerKind.Svm && OutputSize == 1);

    /// <summary>The number of classes a label may name: 2 for a binary head, else one per output.</summary>
    public int Classes => IsBinary ? 2 : OutputSize;

    /// <summary><c>Predict</c>: a class to pick. A regression head has none, nor has a single unlabelled output.</summary>
    public bool HasPredict => Head != LayerKind.MeanSquaredError && (OutputSize != 1 || IsBinary);

    /// <summary><c>Probabilities</c>: for the heads whose scores are read as probabilities.</summary>
    public bool HasProbabilities => HasPredict && Head is LayerKind.Softmax or LayerKind.Logistic;

    /// <summary>The nested <c>Trainer</c>: only a head gives a loss to train on.</summary>
    public bool HasTrainer => Head is not null;

    /// <summary>
    /// Every member the emitter writes directly into the class, in the order it writes them (a constructor as
    /// <see cref="MemberNames.SeedConstructor"/>, overloads once). A user member of one of these names is NN0016.
    /// </summary>
    public IReadOnlyList<string> Members { get; }

    public bool Declares(string member) => _members.Contains(member);

    /// <summary>The width of the value <paramref name="layer"/> reads (0 when unknown): what a head or Maxout is checked against.</summary>
    public int WidthInto(LayerModel layer) => _widthInto.TryGetValue(layer.AttributeIndex, out var width) ? width : 0;

    public static NetworkPlan Build(NetworkModel model)
    {
        var input = model.Layers.FirstOrDefault(l => l.Role == LayerRole.Input);
        var shape = input is null || input.HasErrors ? new List<int>() : input.Dimensions.ToList();
        var elements = Flatten(shape);
        var current = new Value("x", elements is > 0 and <= int.MaxValue ? (int)elements : 0);
        var blocks = new List<AffineBlock>();
        var widthInto = new Dictionary<int, int>();
        LayerModel? head = null;
        foreach (var layer in model.Layers.Where(l => l.Role != LayerRole.Input))
        {
            widthInto[layer.AttributeIndex] = current.Size;
            switch (layer.Role)
            {
                case LayerRole.Affine:
                    var block = new AffineBlock(layer, blocks.Count + 1, current);
                    blocks.Add(block);
                    current = block.AffineOutput;
                    break;

                // A stage with no Affine before it has nothing to act on: left out.
                case LayerRole.Activation or LayerRole.Normalization or LayerRole.Dropout when blocks.Count > 0:
                    current = AddStage(blocks[blocks.Count - 1], layer);
                    break;

                case LayerRole.Head:
                    head = layer;
                    break;
            }
        }

        LayOutParameters(blocks);
        if (blocks.Count > 0)
        {
            var last = blocks[blocks.Count - 1];
            last.IsLast = true;
            last.Output.Name = "scores";
        }

        return new NetworkPlan(model, shape, elements, blocks, head, widthInto);
    }

    private static long Flatten(List<int> shape)
    {
        if (shape.Count == 0 || shape.Any(d => d <= 0))
        {
            return 0;
        }

        long product = 1;
        foreach (var dimension in shape)
        {
            product = product > int.MaxValue ? product : product * dimension;
        }

        return product;
    }

    // BatchNorm and Dropout run in place (their backward passes need their caches, not their inputs). The first elementwise
    // activation, with nothing before it but a BatchNorm, overwrites its input too (its backward needs only its own output).
    // Maxout, and any activation after another, writes a new value, and the earlier ones are renamed z1, z1b, ….
    private static Value AddStage(AffineBlock block, LayerModel layer)
    {
        var input = block.Output;
        var number = block.Number.ToString(CultureInfo.InvariantCulture);
        var inPlace = layer.Kind is LayerKind.BatchNorm or LayerKind.Dropout
            || (LayerKinds.IsElementwise(layer.Kind) && block.Stages.All(s => s.Kind == LayerKind.BatchNorm));
        var output = inPlace ? input : new Value("h" + number, OutputWidth(layer, input.Size));
        if (!inPlace)
        {
            var stored = block.Values.Count();
            input.Name = "z" + number + (stored > 1 ? ((char)('a' + stored - 1)).ToString() : string.Empty);
        }

        var stage = new Stage(layer, input, output);
        if (layer.Kind == LayerKind.BatchNorm)
        {
            stage.Cache = number;
        }
        else if (layer.Kind == LayerKind.Dropout)
        {
            var masks = block.Stages.Count(s => s.Kind == LayerKind.Dropout);
            stage.Cache = "mask" + number + (masks > 0 ? ((char)('a' + masks)).ToString() : string.Empty);
            stage.Previous = block.Stages.Count > 0 ? block.Stages[block.Stages.Count - 1] : null;
        }

        block.Stages.Add(stage);
        return output;
    }

    // Maxout(k) keeps the max of every k outputs (unknown when k does not divide them); the other stages keep the width.
    private static int OutputWidth(LayerModel layer, int width) => layer.Kind switch
    {
        LayerKind.Maxout => layer.Pieces >= 2 && width % layer.Pieces == 0 ? width / layer.Pieces : 0,
        _ => width,
    };

    // Parameters, back to back: each block's W [in×out] and b [out], then the tensors its stages own (BatchNorm's γ, β);
    // State, back to back: BatchNorm's running mean and variance.
    private static void LayOutParameters(List<AffineBlock> blocks)
    {
        int offset = 0, state = 0;
        foreach (var block in blocks)
        {
            var weights = MemberNames.Numbered(MemberNames.Weights, block.Number);
            var biases = MemberNames.Numbered(MemberNames.Biases, block.Number);
            block.Tensors.Add(new TensorPlan(weights, TensorRole.Weights, offset, block.In, block.Out));
            block.Tensors.Add(new TensorPlan(biases, TensorRole.Biases, offset + block.MultiplyAdds, block.Out));
            offset = block.Tensors[block.Tensors.Count - 1].End;
            if (block.BatchNorm is not null)
            {
                var gamma = MemberNames.Numbered(MemberNames.Gamma, block.Number);
                var beta = MemberNames.Numbered(MemberNames.Beta, block.Number);
                block.Tensors.Add(new TensorPlan(gamma, TensorRole.Gamma, offset, block.Out));
                block.Tensors.Add(new TensorPlan(beta, TensorRole.Beta, offset + block.Out, block.Out));
                offset += 2 * block.Out;
                var mean = MemberNames.Numbered(MemberNames.RunningMean, block.Number);
                var variance = MemberNames.Numbered(MemberNames.RunningVariance, block.Number);
                block.State.Add(new TensorPlan(mean, TensorRole.RunningMean, state, block.Out));
                block.State.Add(new TensorPlan(variance, TensorRole.RunningVariance, state + block.Out, block.Out));
                state += 2 * block.Out;
            }
        }
    }

    private List<string> ListMembers()
    {
        var names = new List<string>
        {
            MemberNames.InputSize, MemberNames.OutputSize, MemberNames.ParameterCount,
            MemberNames.NeuronCount, MemberNames.LayerCount, MemberNames.MultiplyAdds,
        };
        foreach (var block in Blocks)
        {
            names.Add(MemberNames.Numbered(MemberNames.LayerParameterCount, block.Number));
            names.Add(MemberNames.Numbered(MemberNames.LayerMultiplyAdds, block.Number));
        }

        names.Add(MemberNames.Parameters);
        names.AddRange(Parameters.Select(t => t.Name));
        if (State.Count > 0)
        {
            names.Add(MemberNames.StateCount);
            names.Add(MemberNames.State);
            names.AddRange(State.Select(t => t.Name));
        }

        if (Model.WeightsPath is not null)
        {
            names.AddRange(new[] { MemberNames.EmbeddedConstructor, MemberNames.WeightsResource, MemberNames.LoadEmbeddedWeights });
        }

        names.AddRange(new[]
        {
            MemberNames.SeedConstructor, MemberNames.Initialize, MemberNames.Architecture, MemberNames.Tensors,
        });
        if (State.Count > 0)
        {
            names.Add(MemberNames.StateTensors);
        }

        names.AddRange(new[]
        {
            MemberNames.Layers, MemberNames.Save, MemberNames.Load, MemberNames.Forward, MemberNames.ForwardCore, MemberNames.ForwardOne,
        });
        if (HasPredict)
        {
            names.Add(MemberNames.Predict);
        }

        if (HasProbabilities)
        {
            names.Add(MemberNames.Probabilities);
        }

        names.Add(MemberNames.WorkspaceField);
        names.Add(MemberNames.Workspace);
        if (HasTrainer)
        {
            names.Add(MemberNames.Trainer);
        }

        return names;
    }
}
