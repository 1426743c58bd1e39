using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Nn.Generator.Model;

/// <summary>A value the forward pass keeps: its name and its width per sample (0 when the declaration leaves it unknown).</summary>
internal sealed class Value
{
    public Value(string name, int size)
    {
        Name = name;
        Size = size;
    }

    /// <summary><c>x</c>, <c>h1</c>, <c>z1</c>, … or <c>scores</c>; the plan renames a value when a later stage takes its name.</summary>
    public string Name { get; set; }

    public int Size { get; }
}

/// <summary>When a stage runs, and whether inference runs it the way training does.</summary>
internal enum StageMode
{
    /// <summary>The same in training and inference: activations, Maxout.</summary>
    Always,

    /// <summary>Training only; inference passes the value through unchanged (Dropout).</summary>
    TrainingOnly,

    /// <summary>Both, differently: batch statistics in training, running ones at inference (BatchNorm).</summary>
    TrainingDiffers,
}

/// <summary>What a tensor of <see cref="NetworkPlan.Parameters"/> is, which decides how it starts out and whether L2 applies.</summary>
internal enum TensorRole
{
    /// <summary><c>Wk</c>, <c>[in×out]</c>: drawn at random, L2-regularized.</summary>
    Weights,

    /// <summary><c>bk</c>, <c>[out]</c>: zero at first, not regularized.</summary>
    Biases,

    /// <summary>BatchNorm's scale <c>gammak</c>, <c>[out]</c>: one at first, not regularized.</summary>
    Gamma,

    /// <summary>BatchNorm's shift <c>betak</c>, <c>[out]</c>: zero at first, not regularized.</summary>
    Beta,

    /// <summary>BatchNorm's <c>runningMeank</c>, <c>[out]</c>, in <c>State</c>: zero at first, updated by training, not a gradient.</summary>
    RunningMean,

    /// <summary>BatchNorm's <c>runningVark</c>, <c>[out]</c>, in <c>State</c>: one at first (PyTorch's choice), updated by training.</summary>
    RunningVariance,
}

/// <summary>One named tensor in a flat buffer: where it starts and its shape.</summary>
internal sealed class TensorPlan
{
    public TensorPlan(string name, TensorRole role, int offset, params int[] shape)
    {
        Name = name;
        Role = role;
        Offset = offset;
        Shape = shape;
    }

    public string Name { get; }

    public TensorRole Role { get; }

    public int Offset { get; }

    public IReadOnlyList<int> Shape { get; }

    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public int End => Offset + Length;
}

/// <summary>
/// A step of a block after its Affine product: reads <see cref="Input"/>, writes <see cref="Output"/>
/// (the same value when it runs in place). Today an activation or Maxout; BatchNorm and Dropout fit the same shape.
/// </summary>
internal sealed class Stage
{
    public Stage(LayerModel layer, Value input, Value output)
    {
        Layer = layer;
        Input = input;
        Output = output;
    }

    /// <summary>
    /// The attribute this stage comes from; its typed arguments (<see cref="LayerModel.Alpha"/>,
    /// <see cref="LayerModel.Pieces"/>) live there.
    /// </summary>
    public LayerModel Layer { get; }

    public LayerKind Kind => Layer.Kind;

    public Value Input { get; }

    public Value Output { get; }

    public bool InPlace => ReferenceEquals(Input, Output);

    public StageMode Mode => LayerKinds.ModeOf(Kind);

    /// <summary>Stages inference skips (Dropout).</summary>
    public bool TrainingOnly => Mode == StageMode.TrainingOnly;

    /// <summary>
    /// What the trainer keeps of this stage for the backward pass, beyond the values: for a BatchNorm <c>xhatk</c>,
    /// <c>meank</c> and <c>invstdk</c> (prefix of the three names: the layer number), for a Dropout its mask
    /// (<c>maskk</c>, <c>maskkb</c>, …); null for the other stages.
    /// </summary>
    public string? Cache { get; set; }

    /// <summary>For a Dropout: the stage before it, whose output it scales in place.</summary>
    public Stage? Previous { get; set; }
}

/// <summary>One Affine layer with the stages that follow it, resolved to sizes, names and tensors.</summary>
internal sealed class AffineBlock
{
    public AffineBlock(LayerModel layer, int number, Value input)
    {
        Layer = layer;
        Number = number;
        Input = input;
        In = input.Size;
        Out = layer.HasErrors || layer.Size <= 0 ? 0 : layer.Size;
        AffineOutput = new Value("h" + number.ToString(CultureInfo.InvariantCulture), Out);
    }

    /// <summary>The <c>[Affine]</c> attribute that opens the block.</summary>
    public LayerModel Layer { get; }

    /// <summary>1, 2, …: the CS231n layer number, used in every name of the block (<c>W1</c>, <c>h1</c>, …).</summary>
    public int Number { get; }

    public int In { get; }

    public int Out { get; }

    public InitKind Init => Layer.Init;

    public double Scale => Layer.Scale;

    public List<Stage> Stages { get; } = new();

    /// <summary>The block's tensors in <see cref="NetworkPlan.Parameters"/>: W and b, then any a stage owns (BatchNorm's γ and β).</summary>
    public List<TensorPlan> Tensors { get; } = new();

    /// <summary>
    /// Tensors the block keeps outside Parameters, in the network's <c>State</c>, not trained by gradients (BatchNorm's
    /// running mean and variance).
    /// </summary>
    public List<TensorPlan> State { get; } = new();

    public TensorPlan Weights => Tensors.First(t => t.Role == TensorRole.Weights);

    public TensorPlan Biases => Tensors.First(t => t.Role == TensorRole.Biases);

    public string W => Weights.Name;

    public string B => Biases.Name;

    public int ParameterCount => Tensors.Sum(t => t.Length);

    public int MultiplyAdds => In * Out;

    /// <summary>The forward value this block reads: <c>x</c> or the previous block's output.</summary>
    public Value Input { get; }

    /// <summary>What the GEMM writes: <c>x·W + b</c>, with a ReLU fused in when that is the only stage.</summary>
    public Value AffineOutput { get; }

    /// <summary>The block's result: <c>h1</c>, <c>h2</c>, … or <c>scores</c> for the last block.</summary>
    public Value Output => Stages.Count == 0 ? AffineOutput : Stages[Stages.Count - 1].Output;

    /// <summary>
    /// A ReLU right after the product, with nothing after it but training-only stages (Dropout), is applied in the GEMM's
    /// epilogue, while the tile is in registers.
    /// </summary>
    public bool FusedRelu => Stages.Count >= 1 && Stages[0].Kind == LayerKind.ReLU && Stages.Skip(1).All(s => s.TrainingOnly);

    /// <summary>The block's BatchNorm, if it has one (always its first stage).</summary>
    public Stage? BatchNorm => Stages.FirstOrDefault(s => s.Kind == LayerKind.BatchNorm);

    /// <summary>Every value this block stores, in order (the affine output first unless a stage overwrote it in place).</summary>
    public IEnumerable<Value> Values => new[] { AffineOutput }.Concat(Stages.Select(s => s.Output)).Distinct();

    public bool IsLast { get; set; }

    public bool HasRelu => Stages.Any(s => s.Kind == LayerKind.ReLU);
}
