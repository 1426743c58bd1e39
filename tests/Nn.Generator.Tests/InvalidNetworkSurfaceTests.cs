using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nn.Generator.Model;
using static Nn.Generator.Tests.Models;

namespace Nn.Generator.Tests;

/// <summary>
/// A broken declaration shows its NN error and nothing else: the generator gives an invalid network its public
/// surface (bodies that throw), so the use sites a user has already written add no CS1739/CS0426/CS0117 errors.
/// </summary>
public class InvalidNetworkSurfaceTests
{
    // What a user writes in the first hour against a Softmax classifier named Net.
    private const string UseSites = """
        using System;
        using Nn;

        public static class UseSites
        {
            public static float Run()
            {
                var net = new Net();
                var x = new float[Net.InputSize * 4];
                var scores = new float[Net.OutputSize * 4];
                net.Forward(x, scores, 4);
                net.Forward(x.AsSpan(0, Net.InputSize), scores.AsSpan(0, Net.OutputSize));
                int label = net.Predict(x.AsSpan(0, Net.InputSize));
                net.Save("net.safetensors");
                net.Load("net.safetensors");
                INetwork<float> network = net;
                network.Forward(x, scores, 4);
                var trainer = new Net.Trainer(net, 64);
                float loss = trainer.Loss(x, new int[4], reg: 1e-3);
                trainer.Step(new Adam<float>(Net.ParameterCount), 1e-3f);
                trainer.Step(1e-2f);
                IClassifierTrainer<float> contract = trainer;
                return loss + label + Net.ParameterCount + net.Parameters.Length + contract.InputSize + network.Tensors.Count;
            }
        }
        """;

    public static TheoryData<string, string[]> Declarations => new()
    {
        // a valid network: nothing at all (the use sites pass reg as a double, as TrainingOptions.Regularization is)
        { "", new[] { "[Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial class Net;" } },
        { "NN0004", new[] { "[Input(2)] [Affine(0), ReLU] [Affine(3), Softmax] public partial class Net;" } },
        { "NN0006", new[] { "[Input(2)] [Affine(10), Softmax, ReLU] [Affine(3), Softmax] public partial class Net;" } },
        { "NN0010", new[] { "[Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial record class Net;" } },
        { "NN0010", new[] { "[Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial record struct Net;" } },
        { "NN0010", new[] { "[Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial struct Net;" } },
        { "NN0013", new[] { "[Input(2)] [Affine(10), Maxout(3)] [Affine(3), Softmax] public partial class Net;" } },
        { "NN0014", new[] { "[Input(2)] [Affine(10), LeakyReLU(2)] [Affine(3), Softmax] public partial class Net;" } },
        { "NN0016", new[] { "[Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial class Net { public int W1; }" } },
        { "NN0024", new[] { "[Input(2)] [Affine(10), BatchNorm, Dropout(0.5)] [Affine(3), Softmax] public partial class Net;" } },
        {
            // the same declaration in two files
            "NN0027",
            new[]
            {
                "using Nn; [Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial class Net;",
                "using Nn; [Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial class Net;",
            }
        },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void TheOnlyErrorIsTheNNDiagnostic(string id, string[] declarations)
    {
        var sources = declarations.Select(d => d.StartsWith("using", System.StringComparison.Ordinal) ? d : "using Nn; " + d).Append(UseSites);
        var (result, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(sources.ToArray()));

        Assert.Empty(result.Diagnostics);
        var errors = output.GetDiagnostics()
            .Concat(GeneratorHarness.AnalyzerDiagnostics(output))
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .ToList();
        var expected = id.Length == 0 ? new string[0] : new[] { id };
        Assert.True(expected.SequenceEqual(errors.Select(d => d.Id)), string.Join("\n", errors));
    }

    [Fact]
    public void TheSurfaceThrowsNamingTheErrors()
    {
        var model = Parse("using Nn; [Input(2)] [Affine(10), LeakyReLU(2)] [Affine(3), Softmax] public partial class Net;");

        var text = NnGenerator.Emitter.EmitSurface(model, "1.0");

        Assert.Contains("public Net(ulong seed = 0) => throw new global::System.InvalidOperationException(", text);
        Assert.Contains("\"Net cannot be used: its declaration has errors (NN0014); fix the NN errors the compiler reports on it.\"", text);
        Assert.Contains("public const int ParameterCount = 63;", text);
    }

    // The surface of a network is the full emitter's public surface, member for member (what a use site can see).
    [Theory]
    [MemberData(nameof(GeneratorSnapshotTests.Declarations), MemberType = typeof(GeneratorSnapshotTests))]
    public void TheSurfaceHasTheNetworksPublicMembers(string name, string source)
    {
        var model = Parse(source);
        var full = PublicApi(source, NnGenerator.Emitter.Emit(model, "1.0"), model);
        var surface = PublicApi(source, NnGenerator.Emitter.EmitSurface(model, "1.0"), model);

        Assert.Contains(full, m => m.EndsWith(name + "." + name + "(ulong)", System.StringComparison.Ordinal));
        Assert.Equal(full, surface);
    }

    [Fact]
    public void TheSameDeclarationInTwoFilesIsOneError()
    {
        const string declaration = "using Nn; [Input(2)] [Affine(10), ReLU] [Affine(3), Softmax] public partial class Net;";
        var compilation = GeneratorHarness.Compile(declaration, declaration);

        var diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation));

        Assert.Equal("NN0027", diagnostic.Id);
        Assert.Equal("Net1.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Contains("keep the attributes on one declaration", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    // Every public or explicitly implemented member of the network and its Trainer, as the compiler sees it.
    private static List<string> PublicApi(string source, string generated, NetworkModel model)
    {
        var compilation = GeneratorHarness.Compile(source, generated);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var name = model.Namespace is null ? model.ClassName : model.Namespace + "." + model.ClassName;
        var type = compilation.GetTypeByMetadataName(name)!;
        var trainer = type.GetTypeMembers("Trainer").SingleOrDefault();
        var members = type.GetMembers().Concat(trainer?.GetMembers() ?? Enumerable.Empty<ISymbol>())
            .Where(m => !m.IsImplicitlyDeclared && m is not IMethodSymbol { AssociatedSymbol: not null })
            .Where(m => m.DeclaredAccessibility == Accessibility.Public || IsExplicit(m))
            .Select(m => m.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + (m is IFieldSymbol { IsConst: true } f ? " = " + f.ConstantValue : ""));
        var interfaces = type.Interfaces.Select(i => model.ClassName + " : " + i.ToDisplayString())
            .Concat(trainer?.Interfaces.Select(i => "Trainer : " + i.ToDisplayString()) ?? Enumerable.Empty<string>());
        return members.Concat(interfaces).OrderBy(m => m, System.StringComparer.Ordinal).ToList();
    }

    private static bool IsExplicit(ISymbol member) => member switch
    {
        IMethodSymbol m => m.ExplicitInterfaceImplementations.Length > 0,
        IPropertySymbol p => p.ExplicitInterfaceImplementations.Length > 0,
        _ => false,
    };
}
