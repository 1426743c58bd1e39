using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Nn.Generator.Model;

namespace Nn.Generator.Tests;

/// <summary>Builds models the way the parser would, without a compilation: <c>Models.Network("Net", Input(2), Affine(3), Layer(LayerKind.Softmax))</c>.</summary>
internal static class Models
{
    public static NetworkModel Network(string name, params LayerModel[] layers) => Network(name, ElementType.Single, layers);

    /// <summary>A network in namespace Demo; attribute indices follow the order given.</summary>
    public static NetworkModel Network(string name, ElementType elementType, params LayerModel[] layers) => new(
        "Demo",
        name,
        "Demo." + name + ".g.cs",
        Keyword: "class",
        IsPartial: true,
        IsNested: false,
        IsGeneric: false,
        IsStatic: false,
        IsFileLocal: false,
        elementType,
        layers.Select((l, i) => l with { AttributeIndex = i }).ToEquatableArray(),
        EquatableArray<string>.Empty);

    public static LayerModel Input(params int[] dimensions) => new(LayerKind.Input, 0) { Dimensions = dimensions.ToEquatableArray() };

    public static LayerModel Affine(int size, InitKind init = InitKind.Auto, double scale = 0) =>
        new(LayerKind.Affine, 0) { Size = size, Init = init, Scale = scale };

    public static LayerModel LeakyReLU(double alpha) => new(LayerKind.LeakyReLU, 0) { Alpha = alpha };

    public static LayerModel Maxout(int pieces) => new(LayerKind.Maxout, 0) { Pieces = pieces };

    public static LayerModel BatchNorm(double momentum = 0.9, double epsilon = 1e-5) =>
        new(LayerKind.BatchNorm, 0) { Momentum = momentum, Epsilon = epsilon };

    public static LayerModel Dropout(double p) => new(LayerKind.Dropout, 0) { Probability = p };

    /// <summary>An attribute without arguments: an activation or a head.</summary>
    public static LayerModel Layer(LayerKind kind) => new(kind, 0);

    /// <summary>The model the real parser reads from <paramref name="source"/>, which declares one class.</summary>
    public static NetworkModel Parse(string source) =>
        NnGenerator.Parser.Parse(GeneratorHarness.Compile(source).GetTypeByMetadataName(MetadataName(source))
            ?? throw new System.ArgumentException("No class declared in:\n" + source));

    /// <summary>The metadata name of the one class in a snapshot declaration: <c>Demo.SpiralNet</c>.</summary>
    public static string MetadataName(string source)
    {
        var type = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        var ns = type.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault();
        return ns is null ? type.Identifier.Text : ns.Name + "." + type.Identifier.Text;
    }
}
