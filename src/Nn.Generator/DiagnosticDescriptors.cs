using Microsoft.CodeAnalysis;

namespace Nn.Generator;

/// <summary>
/// Every diagnostic Nn reports. Each message says what was written and what to write instead;
/// each help link points at its entry in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Nn";
    private const string HelpBase = "https://github.com/nn-dotnet/nn/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "NN0001",
        "Network class must be partial",
        "Class '{0}' declares a network but is not partial; declare it as 'partial class {0}' so the generator can add its members");

    public static readonly DiagnosticDescriptor MultipleInputs = Error(
        "NN0002",
        "A network has exactly one [Input]",
        "Class '{0}' has more than one [Input]; keep one [Input(...)] that gives the shape of one sample and remove this one");

    public static readonly DiagnosticDescriptor LayersOnSeveralDeclarations = Error(
        "NN0003",
        "Layer attributes must sit on one partial declaration",
        "The layers of '{0}' are split across partial declarations, so their order is undefined; "
        + "move this [{1}] to the declaration that holds the other layers");

    public static readonly DiagnosticDescriptor AffineSizeNotPositive = Error(
        "NN0004",
        "Affine size must be positive",
        "[Affine({0})] declares {0} outputs; write a positive size, e.g. [Affine(100)]");

    public static readonly DiagnosticDescriptor ActivationWithoutAffine = Error(
        "NN0005",
        "An activation must follow an Affine layer",
        "[{0}] has no [Affine(n)] before it to apply to; write [Affine(n), {0}]");

    public static readonly DiagnosticDescriptor HeadNotLast = Error(
        "NN0006",
        "The head must be the last layer",
        "[{0}] is a head (it defines the loss) but [{1}] follows it; move [{0}] to the end, after the last [Affine(n)]");

    public static readonly DiagnosticDescriptor HeadWithoutAffine = Error(
        "NN0007",
        "A head must follow an Affine layer",
        "[{0}] needs the scores of an [Affine(n)] right before it; write [Affine(classes), {0}]");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "NN0008",
        "A network needs at least one Affine layer",
        "Network '{0}' declares no [Affine(n)] layer; add one, e.g. [Affine(10), Softmax] for a linear classifier");

    public static readonly DiagnosticDescriptor InputShapeInvalid = Error(
        "NN0009",
        "Input dimensions must be positive",
        "[Input] {0}; give one or more positive dimensions whose product fits in an int, e.g. [Input(28, 28)]");

    public static readonly DiagnosticDescriptor UnsupportedClass = Error(
        "NN0010",
        "Network class shape not supported",
        "'{0}' is {1}; declare the network as a top-level, non-generic, non-static, non-file-local partial class: 'public partial class {0}'");

    public static readonly DiagnosticDescriptor RepeatedActivation = Warning(
        "NN0011",
        "Two activations in a row",
        "[{0}] follows [{1}] on the same Affine layer; this is legal but rarely meant: remove one, or put an [Affine(n)] between them");

    public static readonly DiagnosticDescriptor HeadNeedsTwoOutputs = Error(
        "NN0012",
        "Softmax needs at least two outputs",
        "[Softmax] over {0} output gives probability 1 whatever the input; "
        + "for two classes with one output write [Affine(1), Logistic], or use [Affine(2), Softmax]");

    public static readonly DiagnosticDescriptor MaxoutPieces = Error(
        "NN0013",
        "Maxout pieces must divide the Affine size",
        "[Maxout({0})] {1}; write [Affine(k·n), Maxout(k)] with k ≥ 2, e.g. [Affine({2}), Maxout({3})]");

    public static readonly DiagnosticDescriptor LeakyAlpha = Error(
        "NN0014",
        "LeakyReLU alpha must be in (0, 1)",
        "[LeakyReLU({0})] has a slope outside (0, 1); write a small positive slope such as [LeakyReLU(0.01)]");

    public static readonly DiagnosticDescriptor LogisticOutputs = Error(
        "NN0015",
        "Logistic needs exactly one output",
        "[Logistic] is binary: one output neuron, the score of class 1, but the layer before it has {0} outputs; "
        + "write [Affine(1), Logistic], or [Affine({0}), Softmax] for {0} classes");

    public static readonly DiagnosticDescriptor MemberConflict = Error(
        "NN0016",
        "The class already defines a member the generator writes",
        "Class '{0}' already defines {1}, which Nn generates for this network; rename or remove yours");

    public static readonly DiagnosticDescriptor ArgumentNotConstant = Error(
        "NN0017",
        "Layer arguments must be compile-time constants",
        "This argument of [{0}] is not a compile-time constant, so the generator cannot size the network; write a literal or a const");

    public static readonly DiagnosticDescriptor MaxoutNotAfterAffine = Error(
        "NN0018",
        "Maxout must directly follow an Affine layer",
        "[Maxout] groups the outputs of the [Affine(n)] right before it, but [{0}] stands between them; write [Affine(n), Maxout(k)]");

    public static readonly DiagnosticDescriptor InitScale = Error(
        "NN0019",
        "Init.Fixed needs a positive Scale",
        "[Affine] {0}; write [Affine(n, Init = Init.Fixed, Scale = 0.01)], or leave both out for He/Xavier");

    public static readonly DiagnosticDescriptor SigmoidHidden = Warning(
        "NN0020",
        "Sigmoid in a hidden layer",
        "[Sigmoid] on hidden layer {0} saturates and is not zero-centred, which slows or stalls learning (CS231n); prefer ReLU, LeakyReLU or Tanh");

    public static readonly DiagnosticDescriptor BatchNormNotAfterAffine = Error(
        "NN0021",
        "BatchNorm must directly follow an Affine layer",
        "[BatchNorm] normalizes the outputs of the [Affine(n)] right before it, but it follows {0}; "
        + "write it between the Affine and its activation: [Affine(n), BatchNorm, ReLU]");

    public static readonly DiagnosticDescriptor BatchNormOptions = Error(
        "NN0022",
        "BatchNorm options out of range",
        "[BatchNorm] sets {0}, which must be {1}; leave it out for the defaults (Momentum = 0.9, Epsilon = 1e-5)");

    public static readonly DiagnosticDescriptor DropoutProbability = Error(
        "NN0023",
        "Dropout probability must be in [0, 1)",
        "[Dropout({0})]: p is the probability of dropping a unit and must be at least 0 and below 1; write for example [Dropout(0.5)]");

    public static readonly DiagnosticDescriptor DropoutNotAfterActivation = Error(
        "NN0024",
        "Dropout must follow an activation",
        "[Dropout] drops units of the activation right before it, but it follows {0}; write it after a hidden layer's activation: "
        + "[Affine(n), ReLU, Dropout(0.5)]");

    public static readonly DiagnosticDescriptor DropoutOnOutput = Error(
        "NN0025",
        "Dropout on the output layer",
        "[Dropout] after the last Affine would drop scores that {0} reads; put it on a hidden layer: [Affine(n), ReLU, Dropout(0.5)] "
        + "before the next [Affine]");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        "NN0026",
        "A network needs an [Input]",
        "'{0}' declares layers but no [Input]; add [Input(...)] with the shape of one sample before the layers, e.g. [Input(784)]");

    public static readonly DiagnosticDescriptor DeclaredTwice = Error(
        "NN0027",
        "A network is declared on one partial declaration",
        "'{0}' is declared as a network ([Input] and layers) on more than one partial declaration; "
        + "keep the attributes on one declaration and delete them from this one");

    public static readonly DiagnosticDescriptor WeightsFileUnavailable = Error(
        "NN0028",
        "The weights file is not available to the compiler",
        "[Weights(\"{0}\")]: {1}");

    public static readonly DiagnosticDescriptor WeightsMismatch = Error(
        "NN0029",
        "The weights file does not fit the declaration",
        "[Weights(\"{0}\")]: the file does not fit this network: {2}");

    public static readonly DiagnosticDescriptor InternalError = new(
        "NN9999",
        "Internal error in Nn.Generator",
        "Internal error in Nn.Generator while reading '{0}': {1}; please report it with the declaration",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "nn9999");

    /// <summary>All descriptors, for the analyzer's <c>SupportedDiagnostics</c>.</summary>
    public static readonly DiagnosticDescriptor[] All =
    {
        NotPartial, MultipleInputs, LayersOnSeveralDeclarations, AffineSizeNotPositive, ActivationWithoutAffine,
        HeadNotLast, HeadWithoutAffine, NoLayers, InputShapeInvalid, UnsupportedClass, RepeatedActivation,
        HeadNeedsTwoOutputs, MaxoutPieces, LeakyAlpha, LogisticOutputs, MemberConflict, ArgumentNotConstant,
        MaxoutNotAfterAffine, InitScale, SigmoidHidden, BatchNormNotAfterAffine, BatchNormOptions, DropoutProbability,
        DropoutNotAfterActivation, DropoutOnOutput, MissingInput, DeclaredTwice, WeightsFileUnavailable, WeightsMismatch, InternalError,
    };

    public static DiagnosticDescriptor? Find(string id)
    {
        foreach (var descriptor in All)
        {
            if (descriptor.Id == id)
            {
                return descriptor;
            }
        }

        return null;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) => new(
        id,
        title,
        message,
        Category,
        severity,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + id.ToLowerInvariant());
}
