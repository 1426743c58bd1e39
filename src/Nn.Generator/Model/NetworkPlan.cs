using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Nn.Generator.Model;

/// <summary>A value the forward pass keeps: its name and its width per sample.</summary>
internal sealed class Value
{
    public Value(string name, int size)
    {
        Name = name;
        Size = size;
    }

    public string Name { get; set; }

    public int Size { get; }
}

/// <summary>An activation applied after an Affine layer: reads <see cref="Input"/>, writes <see cref="Output"/> (the same value when in place).</summary>
internal sealed class Stage
{
    public LayerKind Kind { get; set; }

    public double Argument { get; set; }

    public Value Input { get; set; } = null!;

    public Value Output { get; set; } = null!;

    public bool InPlace => ReferenceEquals(Input, Output);

    /// <summary>The argument as a C# literal of the network's element type.</summary>
    public string Literal(string t) => Argument.ToString(t == "float" ? "G9" : "G17", CultureInfo.InvariantCulture) + (t == "float" ? "f" : string.Empty);
}

/// <summary>One Affine layer with the activations that follow it, resolved to sizes and names.</summary>
internal sealed class AffineBlock
{
    public int Number { get; set; }

    public int In { get; set; }

    public int Out { get; set; }

    public InitKind Init { get; set; }

    public double Scale { get; set; }

    public List<Stage> Stages { get; } = new();

    public int WeightOffset { get; set; }

    public int BiasOffset => WeightOffset + (In * Out);

    public int ParameterCount => (In * Out) + Out;

    public string W => "W" + Number;

    public string B => "b" + Number;

    /// <summary>The forward value this block reads: <c>x</c> or the previous block's output.</summary>
    public Value Input { get; set; } = null!;

    /// <summary>What the GEMM writes: <c>x·W + b</c>, with a ReLU fused in when that is the only activation.</summary>
    public Value AffineOutput { get; set; } = null!;

    /// <summary>The block's result: <c>h1</c>, <c>h2</c>, … or <c>scores</c> for the last block.</summary>
    public Value Output => Stages.Count == 0 ? AffineOutput : Stages[Stages.Count - 1].Output;

    /// <summary>A lone ReLU is applied in the GEMM's epilogue, while the tile is in registers.</summary>
    public bool FusedRelu => Stages.Count == 1 && Stages[0].Kind == LayerKind.ReLU;

    /// <summary>Every value this block stores, in order (the affine output first unless a stage overwrote it in place).</summary>
    public IEnumerable<Value> Values => new[] { AffineOutput }.Concat(Stages.Select(s => s.Output)).Distinct();

    public bool IsLast { get; set; }

    public bool HasRelu => Stages.Any(s => s.Kind == LayerKind.ReLU);
}

/// <summary>
/// A valid <see cref="NetworkModel"/> with every size worked out: what the emitter writes from.
/// Built only after the validator has passed the model.
/// </summary>
internal sealed class NetworkPlan
{
    private NetworkPlan(NetworkModel model, List<int> inputShape, List<AffineBlock> blocks, LayerKind? head)
    {
        Model = model;
        InputShape = inputShape;
        Blocks = blocks;
        Head = head;
    }

    public NetworkModel Model { get; }

    /// <summary>The C# element type: <c>float</c> or <c>double</c>.</summary>
    public string T => Model.ElementType == ElementType.Double ? "double" : "float";

    public List<int> InputShape { get; }

    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);

    public List<AffineBlock> Blocks { get; }

    public LayerKind? Head { get; }

    public int OutputSize => Blocks[Blocks.Count - 1].Output.Size;

    public int ParameterCount => Blocks.Sum(b => b.ParameterCount);

    /// <summary>Units of the Affine layers after Maxout grouping.</summary>
    public int NeuronCount => Blocks.Sum(b => b.Output.Size);

    public int LayerCount => Blocks.Count;

    public int MultiplyAdds => Blocks.Sum(b => b.In * b.Out);

    /// <summary>Every value kept between the input and <c>scores</c>, back to back: the hidden workspace layout.</summary>
    public List<Value> Hidden => Blocks.SelectMany(b => b.Values).Where(v => v.Name != "scores").ToList();

    /// <summary>Values per sample in <see cref="Hidden"/>.</summary>
    public int HiddenSize => Hidden.Sum(v => v.Size);

    /// <summary>Whether the head takes class labels (as opposed to real-valued targets).</summary>
    public bool HasLabels => Head is LayerKind.Softmax or LayerKind.Svm or LayerKind.Logistic;

    /// <summary>One output read as two classes: Logistic, or a binary SVM.</summary>
    public bool IsBinary => Head is LayerKind.Logistic || (Head is LayerKind.Svm && OutputSize == 1);

    public static NetworkPlan Build(NetworkModel model)
    {
        var input = model.Layers.First(l => l.Kind == LayerKind.Input);
        var shape = input.Arguments.Select(a => (int)a).ToList();
        var blocks = new List<AffineBlock>();
        LayerKind? head = null;
        var previous = new Value("x", shape.Aggregate(1, (a, b) => a * b));
        var offset = 0;
        foreach (var layer in model.Layers.Where(l => !l.HasErrors))
        {
            switch (layer.Role)
            {
                case LayerRole.Affine:
                    var number = blocks.Count + 1;
                    var block = new AffineBlock
                    {
                        Number = number,
                        In = previous.Size,
                        Out = (int)layer.Arguments[0],
                        Init = layer.Init,
                        Scale = layer.Scale,
                        WeightOffset = offset,
                        Input = previous,
                    };
                    block.AffineOutput = new Value("h" + number, block.Out);
                    offset += block.ParameterCount;
                    blocks.Add(block);
                    previous = block.AffineOutput;
                    break;
                case LayerRole.Activation:
                    previous = AddStage(blocks[blocks.Count - 1], layer);
                    break;
                case LayerRole.Head:
                    head = layer.Kind;
                    break;
            }
        }

        var last = blocks[blocks.Count - 1];
        last.IsLast = true;
        last.Output.Name = "scores";
        return new NetworkPlan(model, shape, blocks, head);
    }

    // The first elementwise activation overwrites the affine output (its backward needs only its own output);
    // Maxout, and any activation after another, writes a new value, and the earlier ones are renamed z1, z1b, ….
    private static Value AddStage(AffineBlock block, LayerModel layer)
    {
        var input = block.Output;
        var inPlace = block.Stages.Count == 0 && LayerKinds.IsElementwise(layer.Kind);
        var size = layer.Kind == LayerKind.Maxout ? input.Size / (int)layer.Arguments[0] : input.Size;
        var output = inPlace ? input : new Value("h" + block.Number, size);
        if (!inPlace)
        {
            input.Name = "z" + block.Number + (block.Values.Count() > 1 ? ((char)('a' + block.Values.Count() - 1)).ToString() : string.Empty);
        }

        block.Stages.Add(new Stage { Kind = layer.Kind, Argument = layer.Arguments.Count > 0 ? layer.Arguments[0] : 0, Input = input, Output = output });
        return output;
    }
}
