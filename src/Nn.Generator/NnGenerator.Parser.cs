using System.Collections.Generic;
using System.Collections.Immutable;
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
                var arguments = new List<double>();
                var errorArgument = data.AttributeConstructor is null ? 0 : -1;
                for (var a = 0; a < data.ConstructorArguments.Length; a++)
                {
                    var argument = data.ConstructorArguments[a];
                    var values = argument.Kind == TypedConstantKind.Array ? argument.Values : ImmutableArray.Create(argument);
                    foreach (var value in values)
                    {
                        if (ToDouble(value) is { } number)
                        {
                            arguments.Add(number);
                        }
                        else if (errorArgument < 0)
                        {
                            errorArgument = a;
                        }
                    }
                }

                if (kind == LayerKind.Input && !sawInput)
                {
                    sawInput = true;
                    elementType = ReadPrecision(data);
                }

                var (init, scale) = ReadInit(data);
                layers.Add(new LayerModel(kind, arguments.ToEquatableArray(), i, declarationIndex, errorArgument, init, scale));
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
                layers.ToEquatableArray(),
                UserMembersThatMightCollide(type).ToEquatableArray());
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

        private static double? ToDouble(TypedConstant constant) => constant.Kind == TypedConstantKind.Error ? null : constant.Value switch
        {
            int i => i,
            long l => l,
            double d => d,
            float f => f,
            _ => null,
        };

        private static (InitKind Init, double Scale) ReadInit(AttributeData data)
        {
            var init = InitKind.Auto;
            var scale = 0.0;
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "Init" && named.Value.Value is int value)
                {
                    init = (InitKind)value;
                }
                else if (named.Key == "Scale" && ToDouble(named.Value) is { } number)
                {
                    scale = number;
                }
            }

            return (init, scale);
        }

        // Members the user wrote (not ones a generator added) whose names the emitter might also use; sorted, so the model is stable.
        private static IEnumerable<string> UserMembersThatMightCollide(INamedTypeSymbol type)
        {
            var names = new SortedSet<string>(System.StringComparer.Ordinal);
            foreach (var member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared || member.DeclaringSyntaxReferences.All(r => IsGenerated(r.SyntaxTree)))
                {
                    continue;
                }

                var name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor
                    ? (ctor.Parameters.Length == 1 && ctor.Parameters[0].Type.SpecialType == SpecialType.System_UInt64 ? GeneratedNames.SeedConstructor : null)
                    : member.Name;
                if (name is not null && GeneratedNames.MightCollide(name))
                {
                    names.Add(name);
                }
            }

            return names;
        }

        /// <summary>Files this generator wrote, as they appear once added to a compilation.</summary>
        public static bool IsGenerated(SyntaxTree tree) =>
            tree.FilePath.Replace('\\', '/').Contains("Nn.Generator.NnGenerator/");

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
