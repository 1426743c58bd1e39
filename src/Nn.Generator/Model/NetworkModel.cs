namespace Nn.Generator.Model;

/// <summary>Element type of a network, mirroring <c>Nn.Precision</c>.</summary>
internal enum ElementType
{
    Single = 0,
    Double = 1,
}

/// <summary>
/// Everything the generator knows about one declared network, read from its attributes.
/// </summary>
/// <remarks>
/// Immutable and structurally equal, with nothing from Roslyn in it (no symbols, syntax nodes,
/// compilations or locations), so that an edit elsewhere leaves the pipeline's cached result alone.
/// Facts the validator needs about the declaration itself (partial, nested, ...) are kept as flags, and
/// <see cref="Keyword"/> is how the type is declared: <c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c>
/// or <c>interface</c> (only a class can be a network; the others are reported, never silently skipped);
/// <see cref="ReservedMembers"/> holds the names of the user's own members that the generator might
/// also write (only those, so that adding an unrelated method keeps the model equal).
/// </remarks>
internal sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    string HintName,
    string Keyword,
    bool IsPartial,
    bool IsNested,
    bool IsGeneric,
    bool IsStatic,
    bool IsFileLocal,
    ElementType ElementType,
    EquatableArray<LayerModel> Layers,
    EquatableArray<string> ReservedMembers)
{
    /// <summary>The <c>[Weights("...")]</c> path, '/'-separated as the build wiring names the resource, or null without the attribute.</summary>
    public string? WeightsPath { get; init; }

    /// <summary><c>[Weights(..., Modules = ...)]</c>: a PyTorch file's module names in layer order (empty when not given).</summary>
    public EquatableArray<string> WeightsModules { get; init; }

    /// <summary>
    /// What the build wiring's header says the weights file holds (<see cref="Weights.WeightsHeader.Describe"/>), set by the
    /// generator's pipeline from the additional files, so that editing the file regenerates the network's documentation;
    /// null when the header is not (yet) there. The analyzer does not read it.
    /// </summary>
    public string? WeightsSummary { get; init; }

    /// <summary>The manifest resource the build wiring embeds the weights file as (Nn.Weights.targets).</summary>
    public string? WeightsResource => WeightsPath is null ? null : "Nn.Weights/" + WeightsPath;

    /// <summary>How a path in <c>[Weights]</c> or an <c>NnWeights</c> item is compared: '/' separators, no leading "./".</summary>
    public static string NormalizeWeightsPath(string path)
    {
        path = path.Replace('\\', '/');
        while (path.StartsWith("./", System.StringComparison.Ordinal))
        {
            path = path.Substring(2);
        }

        return path;
    }
}

/// <summary>Where a diagnostic points, as positions in the model; the analyzer turns them into locations.</summary>
internal enum DiagnosticTarget
{
    /// <summary>The class name.</summary>
    Class,

    /// <summary>The attribute at <see cref="DiagnosticInfo.AttributeIndex"/>.</summary>
    Attribute,

    /// <summary>Argument <see cref="DiagnosticInfo.ArgumentIndex"/> of that attribute.</summary>
    Argument,

    /// <summary>The user's member named by the second message argument.</summary>
    Member,
}

/// <summary>A diagnostic found by the validator: descriptor id, what it points at, and message arguments.</summary>
internal sealed record DiagnosticInfo(
    string Id,
    DiagnosticTarget Target,
    int AttributeIndex,
    int ArgumentIndex,
    EquatableArray<string> MessageArguments);
