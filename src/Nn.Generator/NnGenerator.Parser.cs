using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// Stage 1: reads a class's Nn attributes, in source order, into a <see cref="NetworkModel"/>.
    /// Works from the symbol alone, so the analyzer and the generator read the same model.
    /// </summary>
    internal static class Parser
    {
        public static NetworkModel Parse(INamedTypeSymbol type)
        {
            var attributes = OrderedAttributes(type);
            var layers = new List<LayerModel>(attributes.Count);
            var elementType = ElementType.Single;
            var sawInput = false;
            for (var i = 0; i < attributes.Count; i++)
            {
                var (data, kind, declarationIndex) = attributes[i];
                var hasErrors = HasErrors(data);
                var arguments = new List<long>();
                foreach (var argument in data.ConstructorArguments)
                {
                    if (argument.Kind == TypedConstantKind.Array)
                    {
                        foreach (var item in argument.Values)
                        {
                            arguments.Add(ToLong(item, ref hasErrors));
                        }
                    }
                    else
                    {
                        arguments.Add(ToLong(argument, ref hasErrors));
                    }
                }

                if (kind == LayerKind.Input && !sawInput)
                {
                    sawInput = true;
                    elementType = ReadPrecision(data);
                }

                layers.Add(new LayerModel(kind, arguments.ToEquatableArray(), i, declarationIndex, hasErrors));
            }

            var isPartial = type.DeclaringSyntaxReferences.Length > 0 && type.DeclaringSyntaxReferences.All(
                r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            var hintName = (ns is null ? type.Name : ns + "." + type.Name) + ".g.cs";
            return new NetworkModel(
                ns,
                type.Name,
                hintName,
                isPartial,
                IsNested: type.ContainingType is not null,
                IsGeneric: type.IsGenericType,
                IsStatic: type.IsStatic,
                elementType,
                layers.ToEquatableArray());
        }

        /// <summary>
        /// The class's Nn attributes in source order: declarations in the order Roslyn lists them,
        /// attributes by position within each. The analyzer uses the same list to map an
        /// attribute index back to its syntax.
        /// </summary>
        public static List<(AttributeData Data, LayerKind Kind, int DeclarationIndex)> OrderedAttributes(INamedTypeSymbol type)
        {
            var declarations = type.DeclaringSyntaxReferences;
            var result = new List<(AttributeData Data, LayerKind Kind, int DeclarationIndex, int Position)>();
            foreach (var data in type.GetAttributes())
            {
                if (data.AttributeClass is null || !LayerKinds.TryGetKind(data.AttributeClass.ToDisplayString(), out var kind))
                {
                    continue;
                }

                var reference = data.ApplicationSyntaxReference;
                var declarationIndex = 0;
                var position = 0;
                if (reference is not null)
                {
                    position = reference.Span.Start;
                    for (var d = 0; d < declarations.Length; d++)
                    {
                        if (declarations[d].SyntaxTree == reference.SyntaxTree && declarations[d].Span.Contains(reference.Span))
                        {
                            declarationIndex = d;
                            break;
                        }
                    }
                }

                result.Add((data, kind, declarationIndex, position));
            }

            return result
                .OrderBy(a => a.DeclarationIndex)
                .ThenBy(a => a.Position)
                .Select(a => (a.Data, a.Kind, a.DeclarationIndex))
                .ToList();
        }

        private static bool HasErrors(AttributeData data) =>
            data.AttributeConstructor is null || data.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error);

        private static long ToLong(TypedConstant constant, ref bool hasErrors)
        {
            switch (constant.Value)
            {
                case int i: return i;
                case long l: return l;
                default: hasErrors = true; return 0;
            }
        }

        private static ElementType ReadPrecision(AttributeData data)
        {
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "Precision" && named.Value.Value is int value)
                {
                    return value == 1 ? ElementType.Double : ElementType.Single;
                }
            }

            return ElementType.Single;
        }
    }
}
