using System;

namespace Nn.Generator.Model;

/// <summary>Every attribute the generator understands, in the role it plays.</summary>
internal enum LayerKind
{
    Input,
    Affine,
    ReLU,
    LeakyReLU,
    Sigmoid,
    Tanh,
    Maxout,
    BatchNorm,
    Dropout,
    Softmax,
    Svm,
    Logistic,
    MeanSquaredError,
}

/// <summary>Mirrors <c>Nn.Init</c>.</summary>
internal enum InitKind
{
    Auto = 0,
    He = 1,
    Xavier = 2,
    Fixed = 3,
}

/// <summary>What a layer kind is, so the validator can reason about roles instead of names.</summary>
internal enum LayerRole
{
    Input,
    Affine,

    /// <summary>Normalizes the Affine output before its activation (BatchNorm).</summary>
    Normalization,
    Activation,

    /// <summary>Zeroes units at random in training, after an activation (Dropout).</summary>
    Dropout,
    Head,
}

/// <summary>
/// One Nn attribute as written on the class, in source order, with its arguments by name.
/// </summary>
/// <remarks>
/// Immutable and structurally equal; holds nothing from Roslyn, so the incremental pipeline can cache it.
/// <see cref="AttributeIndex"/> is the attribute's position among the class's Nn attributes, which
/// the analyzer maps back to a source location. <see cref="DeclarationIndex"/> says on which
/// partial declaration of the class the attribute sits. Only the properties of the attribute's own kind
/// are set; the rest keep their defaults. An argument the compiler could not evaluate keeps its default
/// too, and <see cref="ErrorArgument"/> says which one it was.
/// </remarks>
internal sealed record LayerModel(LayerKind Kind, int AttributeIndex, int DeclarationIndex = 0)
{
    /// <summary>Index of the first argument the compiler could not evaluate, or -1.</summary>
    public int ErrorArgument { get; init; } = -1;

    /// <summary><c>[Input(d0, d1, …)]</c>: one sample's shape, as written (flattened by the plan).</summary>
    public EquatableArray<int> Dimensions { get; init; }

    /// <summary><c>[Affine(size)]</c>: the number of outputs.</summary>
    public int Size { get; init; }

    /// <summary><c>[Affine(…, Init = …)]</c>: how the weights start out.</summary>
    public InitKind Init { get; init; }

    /// <summary><c>[Affine(…, Scale = …)]</c>: the standard deviation <see cref="InitKind.Fixed"/> uses.</summary>
    public double Scale { get; init; }

    /// <summary><c>[LeakyReLU(alpha)]</c>: the slope for negative inputs.</summary>
    public double Alpha { get; init; }

    /// <summary><c>[Maxout(pieces)]</c>: how many Affine outputs each unit takes the max of.</summary>
    public int Pieces { get; init; }

    /// <summary><c>[BatchNorm(Momentum = …)]</c>: the weight of the old running statistics in each update.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary><c>[BatchNorm(Epsilon = …)]</c>: added to the variance before its square root.</summary>
    public double Epsilon { get; init; } = 1e-5;

    /// <summary><c>[Dropout(p)]</c>: the probability of dropping a unit.</summary>
    public double Probability { get; init; }

    public bool HasErrors => ErrorArgument >= 0;

    public LayerRole Role => LayerKinds.RoleOf(Kind);
}

/// <summary>The one table that maps attribute names to kinds: adding a layer kind starts here.</summary>
internal static class LayerKinds
{
    public static bool TryGetKind(string metadataName, out LayerKind kind)
    {
        switch (metadataName)
        {
            case "Nn.InputAttribute": kind = LayerKind.Input; return true;
            case "Nn.AffineAttribute": kind = LayerKind.Affine; return true;
            case "Nn.ReLUAttribute": kind = LayerKind.ReLU; return true;
            case "Nn.LeakyReLUAttribute": kind = LayerKind.LeakyReLU; return true;
            case "Nn.SigmoidAttribute": kind = LayerKind.Sigmoid; return true;
            case "Nn.TanhAttribute": kind = LayerKind.Tanh; return true;
            case "Nn.MaxoutAttribute": kind = LayerKind.Maxout; return true;
            case "Nn.BatchNormAttribute": kind = LayerKind.BatchNorm; return true;
            case "Nn.DropoutAttribute": kind = LayerKind.Dropout; return true;
            case "Nn.SoftmaxAttribute": kind = LayerKind.Softmax; return true;
            case "Nn.SvmAttribute": kind = LayerKind.Svm; return true;
            case "Nn.LogisticAttribute": kind = LayerKind.Logistic; return true;
            case "Nn.MeanSquaredErrorAttribute": kind = LayerKind.MeanSquaredError; return true;
            default: kind = default; return false;
        }
    }

    public static LayerRole RoleOf(LayerKind kind) => kind switch
    {
        LayerKind.Input => LayerRole.Input,
        LayerKind.Affine => LayerRole.Affine,
        LayerKind.BatchNorm => LayerRole.Normalization,
        LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.Maxout => LayerRole.Activation,
        LayerKind.Dropout => LayerRole.Dropout,
        LayerKind.Softmax or LayerKind.Svm or LayerKind.Logistic or LayerKind.MeanSquaredError => LayerRole.Head,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>When a stage of a block runs: Dropout only in training, BatchNorm in both but differently, the rest alike.</summary>
    public static StageMode ModeOf(LayerKind kind) => kind switch
    {
        LayerKind.Dropout => StageMode.TrainingOnly,
        LayerKind.BatchNorm => StageMode.TrainingDiffers,
        _ => StageMode.Always,
    };

    /// <summary>The name the user writes, for messages.</summary>
    public static string DisplayName(LayerKind kind) => kind.ToString();

    /// <summary>Activations whose backward pass needs only their own output, so they may overwrite their input.</summary>
    public static bool IsElementwise(LayerKind kind) =>
        kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Sigmoid or LayerKind.Tanh;

    /// <summary>Activations whose backward pass reads their own output exactly (not only its sign): a Dropout after them must restore it.</summary>
    public static bool NeedsOwnOutput(LayerKind kind) => kind is LayerKind.Sigmoid or LayerKind.Tanh;

    /// <summary>He initialization suits these; the rest get Xavier.</summary>
    public static bool IsRectifier(LayerKind kind) => kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Maxout;
}
