using System;
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
        // find [Input] classes and read their layers into a NetworkModel
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Nn.InputAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, _) => ctx.TargetSymbol is INamedTypeSymbol type ? TryParse(type) : null)
            .WithTrackingName(TrackingNames.Model);

        // keep the valid ones: the analyzer reports the rest, with locations
        var valid = models
            .Where(static model => model is not null && Validator.IsValid(model))
            .WithTrackingName(TrackingNames.ValidModel);

        // emit one file per network
        context.RegisterSourceOutput(valid, static (spc, model) =>
        {
            string source;
            try
            {
                source = Emitter.Emit(model!, Version);
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
}
