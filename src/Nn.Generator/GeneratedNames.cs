using System.Collections.Generic;
using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

/// <summary>The member names the emitter writes, so that a user's member of the same name is a diagnostic, not a CS0102.</summary>
internal static class GeneratedNames
{
    /// <summary>Stands for a user constructor taking one <c>ulong</c>, which the generated <c>(ulong seed = 0)</c> constructor would clash with.</summary>
    public const string SeedConstructor = "constructor (ulong)";

    private static readonly string[] Always =
    {
        "InputSize", "OutputSize", "ParameterCount", "NeuronCount", "LayerCount", "MultiplyAdds",
        "Parameters", "Initialize", "Forward", "ForwardCore", "Predict", "NnWorkspace", "t_nnWorkspace",
        "Architecture", "Tensors", "Layers", "Save", "Load",
    };

    /// <summary>Whether a user's member name could collide with something the generator writes for some network.</summary>
    public static bool MightCollide(string name) =>
        Always.Contains(name) || name is "Probabilities" or "Trainer" or SeedConstructor
        || IsNumbered(name, "W") || IsNumbered(name, "b") || (name.StartsWith("Layer") && name.Length > 5 && char.IsDigit(name[5]));

    /// <summary>Every name the emitter writes into the class of this model.</summary>
    public static IEnumerable<string> For(NetworkModel model)
    {
        foreach (var name in Always)
        {
            yield return name;
        }

        yield return SeedConstructor;
        var head = model.Layers.FirstOrDefault(l => l.Role == LayerRole.Head)?.Kind;
        if (head is LayerKind.Softmax or LayerKind.Logistic)
        {
            yield return "Probabilities";
        }

        if (head is not null)
        {
            yield return "Trainer";
        }

        var affine = model.Layers.Count(l => l.Kind == LayerKind.Affine);
        for (var l = 1; l <= affine; l++)
        {
            yield return "W" + l;
            yield return "b" + l;
            yield return "Layer" + l + "ParameterCount";
            yield return "Layer" + l + "MultiplyAdds";
        }
    }

    private static bool IsNumbered(string name, string prefix) =>
        name.Length > prefix.Length && name.StartsWith(prefix, System.StringComparison.Ordinal) && name.Substring(prefix.Length).All(char.IsDigit);
}
