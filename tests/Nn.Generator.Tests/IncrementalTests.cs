using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nn.Generator.Model;

namespace Nn.Generator.Tests;

/// <summary>The pipeline caches in fact: edits elsewhere leave every network's steps cached, and the model compares by value.</summary>
public class IncrementalTests
{
    private const string Spiral = "using Nn; namespace Demo; [Input(2)] [Affine(100), ReLU] [Affine(3), Softmax] public partial class SpiralNet;";
    private const string Linear = "using Nn; namespace Demo; [Input(2)] [Affine(3), Softmax] public partial class LinearNet;";

    [Fact]
    public void UnrelatedEditLeavesEveryNetworkCached()
    {
        var compilation = GeneratorHarness.Compile(Spiral, Linear, "class Other { int A; }");
        var (_, _, driver) = GeneratorHarness.Run(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("class Other { int A; int B; }", GeneratorHarness.ParseOptions, path: "Net2.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(result, TrackingNames.Model, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(result, TrackingNames.ValidModel, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void EditingOneNetworkRegeneratesOnlyThatOne()
    {
        var compilation = GeneratorHarness.Compile(Spiral, Linear);
        var (_, _, driver) = GeneratorHarness.Run(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(Linear.Replace("Affine(3)", "Affine(4)"), GeneratorHarness.ParseOptions, path: "Net1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[TrackingNames.Model].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void ModelsFromSeparateCompilationsAreEqual()
    {
        NetworkModel Parse() => NnGenerator.Parser.Parse(GeneratorHarness.Compile(Spiral).GetTypeByMetadataName("Demo.SpiralNet")!);

        var a = Parse();
        var b = Parse();
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { ElementType = ElementType.Double });
    }

    [Theory]
    [InlineData(typeof(NetworkModel))]
    [InlineData(typeof(LayerModel))]
    [InlineData(typeof(DiagnosticInfo))]
    public void ModelHoldsNothingFromRoslyn(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            AssertCacheable(property.PropertyType, type.Name + "." + property.Name);
        }
    }

    private static void AssertCacheable(Type type, string path)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
        {
            AssertCacheable(type.GetGenericArguments()[0], path + "[]");
            return;
        }

        var ok = type.IsPrimitive || type.IsEnum || type == typeof(string)
            || (Nullable.GetUnderlyingType(type) is { } inner && (inner.IsPrimitive || inner.IsEnum))
            || (type.Namespace == typeof(NetworkModel).Namespace && type.GetMethod("<Clone>$") is not null);
        Assert.True(ok, $"{path} is {type}: the model must hold only values (no ISymbol, SyntaxNode, Location or arrays).");
        Assert.False(type.Assembly == typeof(SyntaxNode).Assembly, path + " comes from Roslyn.");
    }

    private static void AssertAll(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Contains(o.Reason, allowed));
    }
}
