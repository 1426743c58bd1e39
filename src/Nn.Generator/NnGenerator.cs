using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Nn.Generator.Model;

namespace Nn.Generator;

/// <summary>
/// Writes forward, backward and training code for every class marked <c>[Input(...)]</c>.
/// Stages: <see cref="Parser"/> (declaration → model), <see cref="Validator"/> (model → diagnostics,
/// reported by <see cref="NnAnalyzer"/>), <see cref="Emitter"/> (model → C#).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class NnGenerator : IIncrementalGenerator
{
    internal static readonly string Version =
        typeof(NnGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(NnGenerator).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // find [Input] types and read their layers into a NetworkModel (records and structs too: the analyzer reports
        // them, and the generator gives them the surface below so that their use sites do not add errors)
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Nn.InputAttribute",
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (ctx, _) =>
                    ctx.TargetSymbol is INamedTypeSymbol type && HoldsFirstInput(type, ctx.TargetNode) ? TryParse(type) : null)
            .WithTrackingName(TrackingNames.Model);

        // a valid network gets its code; an invalid one (reported by the analyzer, with locations) gets only its public
        // surface, members whose bodies throw, when the declaration can take a generated part at all
        var networks = models
            .Where(static model => model is not null && (Validator.IsValid(model) || Validator.CanTakeGeneratedPart(model)))
            .WithTrackingName(TrackingNames.ValidModel);

        // the weights headers of NnWeights items (Nn.Weights.targets), as (path, summary): a [Weights] network's documentation
        // names what it embeds, so editing the file regenerates that network and no other
        var weightsFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(Weights.WeightsHeader.Extension, StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellation) =>
                file.GetText(cancellation)?.ToString() is { } text && Weights.WeightsHeader.PathOf(text) is { } path
                    ? new WeightsFile(path, Weights.WeightsHeader.Read(text).Describe())
                    : null)
            .Where(static file => file is not null)
            .Collect()
            .WithTrackingName(TrackingNames.WeightsFiles);
        var withWeights = networks
            .Combine(weightsFiles)
            .Select(static (pair, _) => pair.Left!.WeightsPath is { } path
                ? pair.Left with { WeightsSummary = pair.Right.FirstOrDefault(f => f!.Path == path)?.Summary }
                : pair.Left)
            .WithTrackingName(TrackingNames.Network);

        // emit one file per network
        context.RegisterSourceOutput(withWeights, static (spc, model) =>
        {
            string source;
            try
            {
                source = Validator.IsValid(model!) ? Emitter.Emit(model!, Version) : Emitter.EmitSurface(model!, Version);
            }
            catch (Exception e)
            {
                // The generator never throws; the analyzer cannot see emit failures, so report here.
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model!.ClassName, e.Message));
                return;
            }

            spc.AddSource(model!.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }

    /// <summary>
    /// Whether <paramref name="node"/> is the declaration whose [Input] comes first: a type with [Input] on two partial
    /// declarations (NN0002, NN0027) is still one network and one file, read once.
    /// </summary>
    private static bool HoldsFirstInput(INamedTypeSymbol type, SyntaxNode node)
    {
        try
        {
            foreach (var (_, kind, declaration) in Parser.OrderedAttributes(type))
            {
                if (kind == LayerKind.Input)
                {
                    var reference = type.DeclaringSyntaxReferences[declaration];
                    return reference.SyntaxTree == node.SyntaxTree && reference.Span == node.Span;
                }
            }

            return true;
        }
        catch (Exception)
        {
            return true;   // TryParse decides
        }
    }

    /// <summary>The parser behind a catch-all: a declaration it cannot read yields no model, never an exception.</summary>
    internal static NetworkModel? TryParse(INamedTypeSymbol type)
    {
        try
        {
            return Parser.Parse(type);
        }
        catch (Exception)
        {
            // NnAnalyzer runs the same parser and reports NN9999 with the message.
            return null;
        }
    }

    private sealed record WeightsFile(string Path, string Summary);
}
