using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Nn.Generator.Model;
using static Nn.Generator.Tests.Models;

namespace Nn.Generator.Tests;

/// <summary>
/// The plan's member list is the truth about what the emitter writes: every member in every snapshot is
/// reserved (NN0016 instead of a CS0102 in generated code), and nothing else is (no false NN0016).
/// </summary>
public class GeneratedMemberTests
{
    public static TheoryData<string, string> Declarations => GeneratorSnapshotTests.Declarations;

    [Theory]
    [MemberData(nameof(Declarations))]
    public void EveryMemberInTheSnapshotIsReservedAndNothingElse(string name, string source)
    {
        var plan = NetworkPlan.Build(Parse(source));
        var snapshot = File.ReadAllText(Path.Combine(Snapshot.SnapshotDirectory(), "GeneratorSnapshotTests." + name + ".verified.cs"));

        var declared = DeclaredMembers(snapshot, plan.ClassName);

        Assert.Equal(plan.Members.Count, plan.Members.Distinct().Count());
        Assert.Equal(plan.Members.OrderBy(n => n, StringComparer.Ordinal), declared.OrderBy(n => n, StringComparer.Ordinal));
    }

    // Every generated network is an INetwork<T> of its own element type (float, or double), each interface member
    // implemented by the generated code, and the network's public members are still its own (explicit implementations).
    [Theory]
    [MemberData(nameof(Declarations))]
    public void EveryNetworkImplementsINetworkOfItsElementType(string name, string source)
    {
        var (_, output, _) = GeneratorHarness.Run(source);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        var plan = NetworkPlan.Build(Parse(source));
        var type = output.GetSymbolsWithName(name, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        var contract = output.GetTypeByMetadataName("Nn.INetwork`1")!.Construct(output.GetSpecialType(plan.T == "double" ? SpecialType.System_Double : SpecialType.System_Single));
        var untyped = output.GetTypeByMetadataName("Nn.INetwork")!;

        Assert.Equal(new[] { contract }, type.Interfaces, SymbolEqualityComparer.Default);
        Assert.Contains(untyped, type.AllInterfaces, SymbolEqualityComparer.Default);
        var members = contract.GetMembers().Concat(untyped.GetMembers()).Where(m => m is not IMethodSymbol { AssociatedSymbol: not null }).ToList();
        Assert.Equal(15, members.Count);
        Assert.All(members, m =>
        {
            var implementation = type.FindImplementationForInterfaceMember(m);
            Assert.True(implementation is not null && SymbolEqualityComparer.Default.Equals(implementation.ContainingType, type), m + " is not implemented by " + name);
            Assert.NotEqual(Accessibility.Public, implementation!.DeclaredAccessibility);
        });
    }

    [Fact]
    public void EveryNameThePlanCanProducePassesTheParsersFilter()
    {
        var plans = Declarations.Select(d => NetworkPlan.Build(Parse((string)d[1]))).Concat(RandomModels().Select(NetworkPlan.Build));
        foreach (var plan in plans)
        {
            Assert.All(plan.Members, name => Assert.True(MemberNames.MightCollide(name), name + " is generated but the parser would drop a user member of that name"));
        }
    }

    [Fact]
    public void EveryPatternIsSomeSnapshotsMember()
    {
        var names = Declarations.SelectMany(d => NetworkPlan.Build(Parse((string)d[1])).Members).ToHashSet();
        var unused = MemberNames.Patterns.Where(p => !names.Any(n => n == p || n == MemberNames.Numbered(p, 1))).ToList();
        Assert.Equal(Array.Empty<string>(), unused);
    }

    [Theory]
    [InlineData("Foo")]
    [InlineData("W")]
    [InlineData("Wx")]
    [InlineData("W1x")]
    [InlineData("b")]
    [InlineData("B1")]
    [InlineData("Layer")]
    [InlineData("Layer1")]
    [InlineData("LayerParameterCount")]
    [InlineData("LayerXParameterCount")]
    [InlineData("Predictor")]
    [InlineData("forward")]
    [InlineData("Train")]
    public void UnrelatedNamesDoNotPassTheFilter(string name) => Assert.False(MemberNames.MightCollide(name));

    // Members declared directly in the network's class: methods, properties, fields and constants, nested types,
    // and constructors as the plan writes them (MemberNames.SeedConstructor for the one taking a ulong).
    private static HashSet<string> DeclaredMembers(string source, string className)
    {
        var type = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Single(c => c.Identifier.Text == className && c.Parent is not TypeDeclarationSyntax);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in type.Members)
        {
            // INetwork<T>'s explicit implementations take no name: a user's member of the same name does not collide.
            if (member is MethodDeclarationSyntax { ExplicitInterfaceSpecifier: not null } or PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: not null })
            {
                continue;
            }

            switch (member)
            {
                case MethodDeclarationSyntax method: names.Add(method.Identifier.Text); break;
                case PropertyDeclarationSyntax property: names.Add(property.Identifier.Text); break;
                case FieldDeclarationSyntax field: names.UnionWith(field.Declaration.Variables.Select(v => v.Identifier.Text)); break;
                case BaseTypeDeclarationSyntax nested: names.Add(nested.Identifier.Text); break;
                case ConstructorDeclarationSyntax ctor:
                    var parameters = ctor.ParameterList.Parameters;
                    names.Add(parameters.Count == 1 && parameters[0].Type is PredefinedTypeSyntax { Keyword.Text: "ulong" }
                        ? MemberNames.SeedConstructor
                        : "constructor " + ctor.ParameterList);
                    break;
                default: names.Add("unexpected " + member.Kind()); break;
            }
        }

        return names;
    }

    // Legal and broken layer sequences alike: the plan is built for both.
    private static List<NetworkModel> RandomModels()
    {
        var rng = new Rng(20261201);
        LayerKind[] plain =
        {
            LayerKind.ReLU, LayerKind.Sigmoid, LayerKind.Tanh, LayerKind.Softmax, LayerKind.Svm, LayerKind.Logistic, LayerKind.MeanSquaredError,
        };
        var models = new List<NetworkModel>();
        for (var n = 0; n < 500; n++)
        {
            var layers = new List<LayerModel> { Input(Enumerable.Range(0, rng.NextInt(3)).Select(_ => rng.NextInt(6) - 1).ToArray()) };
            for (var i = rng.NextInt(12); i > 0; i--)
            {
                layers.Add(rng.NextInt(5) switch
                {
                    0 => Affine(rng.NextInt(20) - 2) with { ErrorArgument = rng.NextInt(10) == 0 ? 0 : -1 },
                    1 => Maxout(rng.NextInt(5)),
                    2 => LeakyReLU(0.1),
                    _ => Layer(plain[rng.NextInt(plain.Length)]),
                });
            }

            models.Add(Network("Net" + n, layers.ToArray()));
        }

        return models;
    }
}
