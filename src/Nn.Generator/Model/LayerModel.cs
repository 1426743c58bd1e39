using System;

namespace Nn.Generator.Model;

/// <summary>Every attribute the generator understands, in the role it plays.</summary>
internal enum LayerKind
{
    Input,
    Affine,
    ReLU,
    Softmax,
}

/// <summary>What a layer kind is, so the validator can reason about roles instead of names.</summary>
internal enum LayerRole
{
    Input,
    Affine,
    Activation,
    Head,
}

/// <summary>
/// One Nn attribute as written on the class, in source order.
/// </summary>
/// <remarks>
/// Immutable and structurally equal; holds nothing from Roslyn, so the incremental pipeline can cache it.
/// <see cref="AttributeIndex"/> is the attribute's position among the class's Nn attributes, which
/// the analyzer maps back to a source location. <see cref="DeclarationIndex"/> says on which
/// partial declaration of the class the attribute sits.
/// </remarks>
internal sealed record LayerModel(
    LayerKind Kind,
    EquatableArray<long> Arguments,
    int AttributeIndex,
    int DeclarationIndex,
    bool HasErrors)
{
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
            case "Nn.SoftmaxAttribute": kind = LayerKind.Softmax; return true;
            default: kind = default; return false;
        }
    }

    public static LayerRole RoleOf(LayerKind kind) => kind switch
    {
        LayerKind.Input => LayerRole.Input,
        LayerKind.Affine => LayerRole.Affine,
        LayerKind.ReLU => LayerRole.Activation,
        LayerKind.Softmax => LayerRole.Head,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The name the user writes, for messages.</summary>
    public static string DisplayName(LayerKind kind) => kind.ToString();
}
