using System.Collections.Generic;
using System.Linq;

namespace Nn.Generator.Model;

/// <summary>One Affine layer with what follows it, resolved to sizes and names.</summary>
internal sealed class AffineBlock
{
    public int Number { get; set; }

    public int In { get; set; }

    public int Out { get; set; }

    public LayerKind? Activation { get; set; }

    public int WeightOffset { get; set; }

    public int BiasOffset => WeightOffset + (In * Out);

    public int ParameterCount => (In * Out) + Out;

    public string W => "W" + Number;

    public string B => "b" + Number;

    /// <summary>The forward value this block reads: <c>x</c> or the previous block's <c>h</c>.</summary>
    public string Input { get; set; } = "x";

    /// <summary>The forward value this block writes: <c>h1</c>, <c>h2</c>, ... or <c>scores</c> for the last block.</summary>
    public string Output { get; set; } = "scores";

    public bool IsLast { get; set; }
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

    public int OutputSize => Blocks[Blocks.Count - 1].Out;

    public int ParameterCount => Blocks.Sum(b => b.ParameterCount);

    public int NeuronCount => Blocks.Sum(b => b.Out);

    public int LayerCount => Blocks.Count;

    /// <summary>Sum of hidden sizes: the activations of one sample between input and output.</summary>
    public int HiddenSize => Blocks.Where(b => !b.IsLast).Sum(b => b.Out);

    public static NetworkPlan Build(NetworkModel model)
    {
        var input = model.Layers.First(l => l.Kind == LayerKind.Input);
        var shape = input.Arguments.Select(a => (int)a).ToList();
        var blocks = new List<AffineBlock>();
        LayerKind? head = null;
        var inSize = shape.Aggregate(1, (a, b) => a * b);
        var offset = 0;
        foreach (var layer in model.Layers)
        {
            switch (layer.Role)
            {
                case LayerRole.Affine:
                    var block = new AffineBlock
                    {
                        Number = blocks.Count + 1,
                        In = inSize,
                        Out = (int)layer.Arguments[0],
                        WeightOffset = offset,
                        Input = blocks.Count == 0 ? "x" : blocks[blocks.Count - 1].Output,
                    };
                    block.Output = "h" + block.Number;
                    offset += block.ParameterCount;
                    inSize = block.Out;
                    blocks.Add(block);
                    break;
                case LayerRole.Activation:
                    blocks[blocks.Count - 1].Activation = layer.Kind;
                    break;
                case LayerRole.Head:
                    head = layer.Kind;
                    break;
            }
        }

        var last = blocks[blocks.Count - 1];
        last.IsLast = true;
        last.Output = "scores";
        return new NetworkPlan(model, shape, blocks, head);
    }
}
