using System.Globalization;
using System.Linq;

namespace Nn.Generator.Model;

/// <summary>
/// The names the generator can write into a network's class, as patterns in which <c>#</c> stands for a
/// layer number. <see cref="NetworkPlan.Members"/> lists, from these alone, the members one network gets;
/// the parser keeps a user's member in the model only if its name <see cref="MightCollide"/>, so that
/// adding an unrelated method leaves the cached model equal.
/// </summary>
internal static class MemberNames
{
    public const string InputSize = nameof(InputSize);
    public const string OutputSize = nameof(OutputSize);
    public const string ParameterCount = nameof(ParameterCount);
    public const string NeuronCount = nameof(NeuronCount);
    public const string LayerCount = nameof(LayerCount);
    public const string MultiplyAdds = nameof(MultiplyAdds);
    public const string LayerParameterCount = "Layer#ParameterCount";
    public const string LayerMultiplyAdds = "Layer#MultiplyAdds";
    public const string Parameters = nameof(Parameters);
    public const string Weights = "W#";
    public const string Biases = "b#";
    public const string Gamma = "gamma#";
    public const string Beta = "beta#";
    public const string StateCount = nameof(StateCount);
    public const string State = nameof(State);
    public const string RunningMean = "runningMean#";
    public const string RunningVariance = "runningVar#";
    public const string StateTensors = nameof(StateTensors);

    /// <summary>Stands for a constructor taking one <c>ulong</c>, which the generated <c>(ulong seed = 0)</c> one would clash with.</summary>
    public const string SeedConstructor = "constructor (ulong)";

    /// <summary>Stands for a constructor without parameters, which a [Weights] network gets (it loads the embedded weights).</summary>
    public const string EmbeddedConstructor = "constructor ()";

    public const string WeightsResource = nameof(WeightsResource);
    public const string LoadEmbeddedWeights = nameof(LoadEmbeddedWeights);
    public const string Initialize = nameof(Initialize);
    public const string Architecture = nameof(Architecture);
    public const string Tensors = nameof(Tensors);
    public const string Layers = nameof(Layers);
    public const string Save = nameof(Save);
    public const string Load = nameof(Load);
    public const string Forward = nameof(Forward);
    public const string ForwardCore = nameof(ForwardCore);
    public const string ForwardOne = nameof(ForwardOne);
    public const string Predict = nameof(Predict);
    public const string Probabilities = nameof(Probabilities);
    public const string WorkspaceField = "t_nnWorkspace";
    public const string Workspace = "NnWorkspace";
    public const string Trainer = nameof(Trainer);

    /// <summary>Every pattern above: a name the plan produces must come from one of these.</summary>
    public static readonly string[] Patterns =
    {
        InputSize, OutputSize, ParameterCount, NeuronCount, LayerCount, MultiplyAdds, LayerParameterCount, LayerMultiplyAdds,
        Parameters, Weights, Biases, Gamma, Beta, StateCount, State, RunningMean, RunningVariance, StateTensors,
        SeedConstructor, EmbeddedConstructor, WeightsResource, LoadEmbeddedWeights, Initialize, Architecture, Tensors, Layers, Save, Load,
        Forward, ForwardCore, ForwardOne, Predict, Probabilities, WorkspaceField, Workspace, Trainer,
    };

    /// <summary>The name of layer <paramref name="number"/>'s member: <c>Numbered("W#", 2)</c> is <c>W2</c>.</summary>
    public static string Numbered(string pattern, int number) =>
        pattern.Replace("#", number.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether a user's member of this name could collide with something the generator writes for some network.</summary>
    public static bool MightCollide(string name) => Patterns.Any(pattern => Matches(pattern, name));

    private static bool Matches(string pattern, string name)
    {
        var hash = pattern.IndexOf('#');
        if (hash < 0)
        {
            return name == pattern;
        }

        var prefix = pattern.Substring(0, hash);
        var suffix = pattern.Substring(hash + 1);
        var digits = name.Length - prefix.Length - suffix.Length;
        return digits > 0
            && name.StartsWith(prefix, System.StringComparison.Ordinal)
            && name.EndsWith(suffix, System.StringComparison.Ordinal)
            && name.Substring(prefix.Length, digits).All(c => c is >= '0' and <= '9');
    }
}
