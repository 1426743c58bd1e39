using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Nn.Generator.Model;

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
            foreach (var info in NnGenerator.Validator.Validate(model))
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

    // The user's own declaration of a member the generator also writes.
    private static Location? MemberLocation(INamedTypeSymbol type, string name)
    {
        foreach (var member in type.GetMembers())
        {
            var matches = name == MemberNames.SeedConstructor ? NnGenerator.Parser.IsSeedConstructor(member) : member.Name == name;
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
