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
                if (kind == LayerKind.Input && !sawInput)
                {
                    sawInput = true;
                    elementType = ReadPrecision(data);
                }

                layers.Add(ReadLayer(data, kind, i, declarationIndex));
            }

            var isPartial = type.DeclaringSyntaxReferences.Length > 0 && type.DeclaringSyntaxReferences.All(
                r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            var hintName = (ns is null ? type.Name : ns + "." + type.Name) + ".g.cs";
            return new NetworkModel(
                ns,
                type.Name,
                hintName,
                Keyword(type),
                isPartial,
                IsNested: type.ContainingType is not null,
                IsGeneric: type.IsGenericType,
                IsStatic: type.IsStatic,
                IsFileLocal: type.IsFileLocal,
                elementType,
                layers.ToEquatableArray(),
                UserMembersThatMightCollide(type).ToEquatableArray())
            {
                WeightsPath = WeightsAttribute(type) is { ConstructorArguments: { Length: 1 } arguments } && arguments[0].Value is string path
                    ? NetworkModel.NormalizeWeightsPath(path)
                    : null,
                WeightsModules = WeightsAttribute(type) is { } named && Named(named, "Modules") is { Kind: TypedConstantKind.Array } modules
                    ? modules.Values.Select(v => v.Value as string ?? string.Empty).ToEquatableArray()
                    : EquatableArray<string>.Empty,
            };
        }

        /// <summary>The class's <c>[Weights]</c>, or null.</summary>
        public static AttributeData? WeightsAttribute(INamedTypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Nn.WeightsAttribute");

        /// <summary>How the type is declared, as the keyword a partial declaration of it repeats.</summary>
        private static string Keyword(INamedTypeSymbol type) => type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };

        /// <summary>
        /// Whether the type carries any Nn attribute ([Input], a layer or [Weights]): each such type gets a network or a diagnostic.
        /// </summary>
        public static bool HasNnAttribute(INamedTypeSymbol type) =>
            type.GetAttributes().Any(a => a.AttributeClass is { } c
                && (LayerKinds.TryGetKind(c.ToDisplayString(), out _) || c.ToDisplayString() == "Nn.WeightsAttribute"));

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

        // The attribute's arguments, by name: [Input(d0, d1, …)], [Affine(size, Init = …, Scale = …)], [LeakyReLU(alpha)], [Maxout(pieces)],
        // [BatchNorm(Momentum = …, Epsilon = …)], [Dropout(p)].
        private static LayerModel ReadLayer(AttributeData data, LayerKind kind, int attributeIndex, int declarationIndex)
        {
            var layer = new LayerModel(kind, attributeIndex, declarationIndex) { ErrorArgument = FirstErrorArgument(data) };
            var arguments = data.ConstructorArguments;
            return kind switch
            {
                LayerKind.Input => layer with { Dimensions = Flatten(arguments).Select(ToInt).ToEquatableArray() },
                LayerKind.Affine => layer with
                {
                    Size = arguments.Length > 0 ? ToInt(arguments[0]) : 0,
                    Init = Named(data, "Init") is { Value: int init } ? (InitKind)init : InitKind.Auto,
                    Scale = Named(data, "Scale") is { } scale ? ToDouble(scale) ?? 0 : 0,
                },
                LayerKind.LeakyReLU => layer with { Alpha = arguments.Length > 0 ? ToDouble(arguments[0]) ?? 0 : 0 },
                LayerKind.Maxout => layer with { Pieces = arguments.Length > 0 ? ToInt(arguments[0]) : 0 },
                LayerKind.BatchNorm => layer with
                {
                    Momentum = Named(data, "Momentum") is { } momentum ? ToDouble(momentum) ?? double.NaN : 0.9,
                    Epsilon = Named(data, "Epsilon") is { } epsilon ? ToDouble(epsilon) ?? double.NaN : 1e-5,
                },
                LayerKind.Dropout => layer with { Probability = arguments.Length > 0 ? ToDouble(arguments[0]) ?? double.NaN : double.NaN },
                _ => layer,
            };
        }

        // The index of the first argument the compiler could not evaluate (0 when the attribute did not bind at all), or -1.
        private static int FirstErrorArgument(AttributeData data)
        {
            if (data.AttributeConstructor is null)
            {
                return 0;
            }

            for (var a = 0; a < data.ConstructorArguments.Length; a++)
            {
                if (Flatten(ImmutableArray.Create(data.ConstructorArguments[a])).Any(value => ToDouble(value) is null))
                {
                    return a;
                }
            }

            return -1;
        }

        // A params array ([Input(28, 28)]) counts as its elements.
        private static IEnumerable<TypedConstant> Flatten(ImmutableArray<TypedConstant> arguments) =>
            arguments.SelectMany(a => a.Kind == TypedConstantKind.Array ? a.Values : ImmutableArray.Create(a));

        private static TypedConstant? Named(AttributeData data, string name)
        {
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == name)
                {
                    return named.Value;
                }
            }

            return null;
        }

        private static int ToInt(TypedConstant constant) => constant.Kind != TypedConstantKind.Error && constant.Value is int i ? i : 0;

        private static double? ToDouble(TypedConstant constant) => constant.Kind == TypedConstantKind.Error ? null : constant.Value switch
        {
            int i => i,
            long l => l,
            double d => d,
            float f => f,
            _ => null,
        };

        // Members the user wrote (not ones a generator added) whose names the emitter might write for some network
        // (MemberNames.MightCollide); sorted, so the model is stable. The validator keeps those this network's plan lists.
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
                    ? (IsSeedConstructor(member) ? MemberNames.SeedConstructor : ctor.Parameters.Length == 0 ? MemberNames.EmbeddedConstructor : null)
                    : member.Name;
                if (name is not null && MemberNames.MightCollide(name))
                {
                    names.Add(name);
                }
            }

            return names;
        }

        /// <summary>A constructor taking one <c>ulong</c>: the generated <c>(ulong seed = 0)</c> one would clash with it.</summary>
        public static bool IsSeedConstructor(ISymbol member) =>
            member is IMethodSymbol { MethodKind: MethodKind.Constructor, Parameters.Length: 1 } ctor
            && ctor.Parameters[0].Type.SpecialType == SpecialType.System_UInt64;

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
