using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Nn.Generator.Model;
using Nn.Generator.Weights;

namespace Nn.Generator;

/// <summary>
/// Reports the validator's diagnostics with real locations, live in the editor.
/// The generator calls the same <see cref="NnGenerator.Validator"/> only to decide whether to emit.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NnAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.All);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        // Any Nn attribute, not only [Input]: layers without an [Input], or on a record or struct, are reported, never skipped.
        if (!NnGenerator.Parser.HasNnAttribute(type))
        {
            return;
        }

        try
        {
            var model = NnGenerator.Parser.Parse(type);
            var attributes = NnGenerator.Parser.OrderedAttributes(type);
            var diagnostics = NnGenerator.Validator.Validate(model);
            if (diagnostics.Count == 0 && NnGenerator.Parser.WeightsAttribute(type) is { } weights)
            {
                // checked only on an otherwise valid network: a broken declaration's own errors come first
                CheckWeights(context, model, weights);
            }

            foreach (var info in diagnostics)
            {
                var descriptor = DiagnosticDescriptors.Find(info.Id) ?? DiagnosticDescriptors.InternalError;
                var args = new object[info.MessageArguments.Count];
                for (var i = 0; i < args.Length; i++)
                {
                    args[i] = info.MessageArguments[i];
                }

                context.ReportDiagnostic(Diagnostic.Create(descriptor, LocationOf(info, type, attributes), args));
            }
        }
        catch (Exception e)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InternalError, type.Locations.IsEmpty ? Location.None : type.Locations[0], type.Name, e.Message));
        }
    }

    // [Weights("path")]: the header the build wiring wrote for that NnWeights item, checked as Load will check the file.
    private static void CheckWeights(SymbolAnalysisContext context, NetworkModel model, AttributeData weights)
    {
        var syntax = weights.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) as AttributeSyntax;
        var location = syntax?.ArgumentList?.Arguments.Count > 0
            ? syntax.ArgumentList.Arguments[0].GetLocation()
            : syntax?.GetLocation() ?? Location.None;
        if (model.WeightsPath is not { Length: > 0 } path)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WeightsFileUnavailable, location, string.Empty,
                "give the weights file's path relative to the project folder, e.g. [Weights(\"fashion.safetensors\")]"));
            return;
        }

        var known = new List<string>();
        foreach (var file in context.Options.AdditionalFiles)
        {
            if (!file.Path.EndsWith(WeightsHeader.Extension, StringComparison.OrdinalIgnoreCase)
                || file.GetText(context.CancellationToken)?.ToString() is not { } text
                || WeightsHeader.PathOf(text) is not { } itemPath)
            {
                continue;
            }

            if (itemPath != path)
            {
                known.Add(itemPath);
                continue;
            }

            var header = WeightsHeader.Read(text);
            if (header.Error is { } error)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WeightsFileUnavailable, location, path,
                    $"the file cannot be embedded: {error}; point the NnWeights item at a safetensors file "
                    + "(Save(path) or PyTorch's safetensors.torch.save_file write one)"));
                return;
            }

            var plan = NetworkPlan.Build(model);
            if (WeightsCheck.Check(plan, header, model.WeightsModules) is { } mismatch)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.WeightsMismatch, location, path, NnGenerator.Emitter.Architecture(plan), mismatch));
            }

            return;
        }

        var listed = known.Count == 0
            ? "the project has no NnWeights items (the Nn package's build wiring turns them into embedded resources and gives the compiler "
                + "their headers)"
            : "the project's NnWeights items are " + string.Join(", ", known.Select(k => "'" + k + "'"));
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WeightsFileUnavailable, location, path,
            $"no NnWeights item has this path; add <NnWeights Include=\"{path}\" /> to an ItemGroup of the project file "
            + $"(paths are relative to the project folder); {listed}"));
    }

    // The user's own declaration of a member the generator also writes.
    private static Location? MemberLocation(INamedTypeSymbol type, string name)
    {
        foreach (var member in type.GetMembers())
        {
            var matches = name switch
            {
                MemberNames.SeedConstructor => NnGenerator.Parser.IsSeedConstructor(member),
                MemberNames.EmbeddedConstructor => member is IMethodSymbol { MethodKind: MethodKind.Constructor, Parameters.Length: 0 },
                _ => member.Name == name,
            };
            if (!matches)
            {
                continue;
            }

            foreach (var location in member.Locations)
            {
                if (location.IsInSource && !NnGenerator.Parser.IsGenerated(location.SourceTree!))
                {
                    return location;
                }
            }
        }

        return null;
    }

    private static Location LocationOf(
        DiagnosticInfo info,
        INamedTypeSymbol type,
        System.Collections.Generic.List<(AttributeData Data, LayerKind Kind, int DeclarationIndex)> attributes)
    {
        var classLocation = type.Locations.IsEmpty ? Location.None : type.Locations[0];
        if (info.Target == DiagnosticTarget.Member)
        {
            return MemberLocation(type, info.MessageArguments[2]) ?? classLocation;
        }

        if (info.Target == DiagnosticTarget.Class || info.AttributeIndex < 0 || info.AttributeIndex >= attributes.Count)
        {
            return classLocation;
        }

        if (attributes[info.AttributeIndex].Data.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax)
        {
            return classLocation;
        }

        var arguments = syntax.ArgumentList?.Arguments;
        if (info.Target == DiagnosticTarget.Argument && arguments is { } list && info.ArgumentIndex < list.Count)
        {
            return list[info.ArgumentIndex].GetLocation();
        }

        return syntax.GetLocation();
    }
}
