using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Nn.Generator.Tests;

/// <summary>
/// One bad declaration per diagnostic. <c>[|…|]</c> marks the span the diagnostic must point at.
/// Each case also checks that the message carries the fix and that the generator emits nothing.
/// </summary>
public class DiagnosticTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "NN0001", "[Input(2)] [Affine(3), Softmax] public class [|Net|];", "declare it as 'partial class Net'" },
        { "NN0002", "[Input(2)] [[|Input(3)|]] [Affine(3), Softmax] public partial class Net;", "keep one [Input(...)]" },
        {
            "NN0003",
            "[Input(2)] [Affine(10), ReLU] public partial class Net; [[|Affine(3)|], Softmax] public partial class Net;",
            "move this [Affine] to the declaration that holds the other layers"
        },
        { "NN0004", "[Input(2)] [Affine([|0|]), ReLU] [Affine(3), Softmax] public partial class Net;", "write a positive size" },
        { "NN0004", "[Input(2)] [Affine([|-5|])] public partial class Net;", "[Affine(-5)] declares -5 outputs" },
        { "NN0005", "[Input(2)] [[|ReLU|], Affine(3)] public partial class Net;", "write [Affine(n), ReLU]" },
        { "NN0006", "[Input(2)] [Affine(3), [|Softmax|]] [Affine(3)] public partial class Net;", "move [Softmax] to the end" },
        { "NN0007", "[Input(2)] [[|Softmax|]] public partial class Net;", "write [Affine(classes), Softmax]" },
        { "NN0008", "[[|Input(2)|]] public partial class Net;", "add one, e.g. [Affine(10), Softmax]" },
        { "NN0009", "[Input(28, [|0|])] [Affine(3)] public partial class Net;", "dimension 2 is 0" },
        { "NN0009", "[[|Input|]] [Affine(3)] public partial class Net;", "has no dimensions" },
        { "NN0009", "[[|Input(100000, 100000)|]] [Affine(3)] public partial class Net;", "more than int.MaxValue" },
        { "NN0010", "public partial class Outer { [Input(2)] [Affine(3)] public partial class [|Net|]; }", "nested in another type" },
        { "NN0010", "[Input(2)] [Affine(3)] public partial class [|Net|]<T>;", "is generic" },
        { "NN0010", "[Input(2)] [Affine(3)] public static partial class [|Net|] { }", "is static" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public partial record class [|Net|];", "is a record (value equality" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public partial record [|Net|];", "'public partial class Net'" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public partial record struct [|Net|];", "is a record struct" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public partial struct [|Net|];", "is a struct" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public struct [|Net|];", "'public partial class Net'" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] public partial interface [|Net|];", "is an interface" },
        { "NN0010", "[Input(2)] [Affine(3), Softmax] file partial class [|Net|];", "is file-local" },
        { "NN0011", "[Input(2)] [Affine(3), ReLU, [|Tanh|]] public partial class Net;", "[Tanh] follows [ReLU]" },
        { "NN0012", "[Input(2)] [Affine(1), [|Softmax|]] public partial class Net;", "write [Affine(1), Logistic]" },
        { "NN0013", "[Input(2)] [Affine(10), Maxout([|3|])] public partial class Net;", "e.g. [Affine(12), Maxout(3)]" },
        { "NN0013", "[Input(2)] [Affine(10), Maxout([|1|])] public partial class Net;", "needs at least 2 pieces" },
        { "NN0014", "[Input(2)] [Affine(10), LeakyReLU([|1.5|])] public partial class Net;", "[LeakyReLU(0.01)]" },
        { "NN0014", "[Input(2)] [Affine(10), LeakyReLU([|0|])] public partial class Net;", "outside (0, 1)" },
        { "NN0015", "[Input(2)] [Affine(3), [|Logistic|]] public partial class Net;", "write [Affine(1), Logistic], or [Affine(3), Softmax]" },
        { "NN0016", "[Input(2)] [Affine(3), Softmax] public partial class Net { public int [|W1|]; }", "already defines 'W1'" },
        { "NN0016", "[Input(2)] [Affine(3), Softmax] public partial class Net { public [|Net|](ulong s) { } }", "a constructor taking one ulong" },
        { "NN0016", "[Input(2)] [Affine(3), Softmax] public partial class Net { void [|ForwardOne|]() { } }", "already defines 'ForwardOne'" },
        { "NN0016", "[Input(2)] [Affine(3), Svm] public partial class Net { int [|t_nnWorkspace|]; }", "already defines 't_nnWorkspace'" },
        { "NN0017", "[Input(2)] [Affine([|Net.Size|])] public partial class Net { public static int Size = 3; }", "not a compile-time constant" },
        { "NN0018", "[Input(2)] [Affine(10), ReLU, [|Maxout(2)|]] public partial class Net;", "but [ReLU] stands between them" },
        { "NN0019", "[Input(2)] [[|Affine(3, Init = Init.Fixed)|]] public partial class Net;", "uses Init.Fixed without a positive Scale" },
        { "NN0019", "[Input(2)] [[|Affine(3, Scale = 0.01)|]] public partial class Net;", "sets Scale, which only Init.Fixed uses" },
        { "NN0020", "[Input(2)] [Affine(10), [|Sigmoid|]] [Affine(3), Softmax] public partial class Net;", "hidden layer 1 saturates" },
        { "NN0021", "[Input(2)] [Affine(10), ReLU, [|BatchNorm|]] [Affine(3), Softmax] public partial class Net;", "but it follows [ReLU]" },
        { "NN0021", "[Input(2)] [[|BatchNorm|], Affine(3), Softmax] public partial class Net;", "[Affine(n), BatchNorm, ReLU]" },
        {
            "NN0022",
            "[Input(2)] [Affine(10), [|BatchNorm(Momentum = 1)|], ReLU] [Affine(3), Softmax] public partial class Net;",
            "Momentum = 1, which must be in [0, 1)"
        },
        { "NN0022", "[Input(2)] [Affine(10), [|BatchNorm(Epsilon = 0)|], ReLU] [Affine(3)] public partial class Net;", "Epsilon = 0, which must be positive" },
        { "NN0023", "[Input(2)] [Affine(10), ReLU, Dropout([|1|])] [Affine(3), Softmax] public partial class Net;", "write for example [Dropout(0.5)]" },
        { "NN0023", "[Input(2)] [Affine(10), ReLU, Dropout([|-0.1|])] [Affine(3), Softmax] public partial class Net;", "[Dropout(-0.1)]" },
        { "NN0024", "[Input(2)] [Affine(10), [|Dropout(0.5)|]] [Affine(3), Softmax] public partial class Net;", "but it follows [Affine]" },
        { "NN0024", "[Input(2)] [Affine(10), BatchNorm, [|Dropout(0.5)|], ReLU] [Affine(3)] public partial class Net;", "[Affine(n), ReLU, Dropout(0.5)]" },
        { "NN0025", "[Input(2)] [Affine(10), ReLU] [Affine(3), ReLU, [|Dropout(0.5)|], Softmax] public partial class Net;", "scores that the Softmax head reads" },
        { "NN0025", "[Input(2)] [Affine(3), Tanh, [|Dropout(0.2)|]] public partial class Net;", "the network's output reads" },
        { "NN0026", "[[|Affine(3)|], Softmax] public partial class Net;", "add [Input(...)]" },
        {
            "NN0027",
            "[Input(2)] [Affine(3), Softmax] public partial class Net; [[|Input(2)|]] [Affine(3), Softmax] public partial class Net;",
            "delete them from this one"
        },
        {
            "NN0028",
            "[Weights([|\"fashion.safetensors\"|])] [Input(784)] [Affine(10), Softmax] public partial class Net;",
            "add <NnWeights Include=\"fashion.safetensors\" /> to an ItemGroup of the project file"
        },
        {
            "NN0029",
            "[Weights([|\"models/fashion-torch.safetensors\"|])] [Input(784)] [Affine(64), ReLU] [Affine(10), Softmax] public partial class Net;",
            "The declaration these shapes match is [Input(784)] [Affine(100), …] [Affine(10), …]"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsIdLocationAndFix(string id, string markup, string fix)
    {
        var (source, span) = Parse("using Nn;\n" + markup);
        var compilation = GeneratorHarness.Compile(source);

        var diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation, GeneratorHarness.SampleWeights(source)));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains(fix, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("#" + id.ToLowerInvariant(), diagnostic.Descriptor.HelpLinkUri);

        var (result, output, _) = GeneratorHarness.Run(compilation);
        Assert.Empty(result.Diagnostics);

        // Whatever the generator adds (the network, an invalid network's throwing surface, or nothing when the type
        // cannot take a generated part) compiles: the compiler reports nothing the declaration alone did not.
        var before = GeneratorHarness.CompilerProblems(compilation).Select(d => d.ToString());
        Assert.Equal(before, GeneratorHarness.CompilerProblems(output).Select(d => d.ToString()));
        if (diagnostic.Severity == DiagnosticSeverity.Warning)
        {
            // A warning is a legal network: its code is generated.
            Assert.Single(result.Results.Single().GeneratedSources);
        }
    }

    [Fact]
    public void AUserForwardOneIsNN0016NotAnErrorInGeneratedCode()
    {
        var compilation = GeneratorHarness.Compile(
            "using Nn; [Input(2)] [Affine(3), Softmax] public partial class Net { private void ForwardOne() { } }");

        Assert.Equal("NN0016", Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation)).Id);
        var (_, output, _) = GeneratorHarness.Run(compilation);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS0102" || d.Id == "CS0111");
    }

    // Members the network does not get are the user's to use: no NN0016, and the generated code compiles beside them.
    [Theory]
    [InlineData("[Input(3)] [Affine(2), MeanSquaredError]", "public int Predict(int a) => a;")]
    [InlineData("[Input(3)] [Affine(1)]", "public string Predict => \"mine\";")]
    [InlineData("[Input(3)] [Affine(4), Svm]", "public void Probabilities() { }")]
    [InlineData("[Input(3)] [Affine(4)]", "public sealed class Trainer { }")]
    public void MembersTheNetworkDoesNotGetAreFree(string layers, string member)
    {
        var compilation = GeneratorHarness.Compile("using Nn; " + layers + " public partial class Net { " + member + " }");

        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(compilation));
        var (result, output, _) = GeneratorHarness.Run(compilation);
        Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
    }

    [Fact]
    public void ValidNetworkHasNoDiagnostics()
    {
        var compilation = GeneratorHarness.Compile("using Nn; [Input(2)] [Affine(100), ReLU] [Affine(3), Softmax] public partial class Net;");
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(compilation));
    }

    [Fact]
    public void WarningsAreWarnings()
    {
        Assert.Equal(DiagnosticSeverity.Warning, DiagnosticDescriptors.RepeatedActivation.DefaultSeverity);
        Assert.Equal(DiagnosticSeverity.Warning, DiagnosticDescriptors.SigmoidHidden.DefaultSeverity);
        Assert.All(
            DiagnosticDescriptors.All.Where(d => d != DiagnosticDescriptors.RepeatedActivation && d != DiagnosticDescriptors.SigmoidHidden),
            d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
    }

    [Fact]
    public void EveryDescriptorHasATest()
    {
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();
        var untested = DiagnosticDescriptors.All.Select(d => d.Id).Where(id => id != "NN9999" && !tested.Contains(id)).ToList();
        Assert.Equal(new string[0], untested);
    }

    [Fact]
    public void EveryDescriptorIsDocumented()
    {
        var directory = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
        while (!System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "docs", "diagnostics.md")))
        {
            directory = directory.Parent ?? throw new System.IO.FileNotFoundException("docs/diagnostics.md not found above " + System.AppContext.BaseDirectory);
        }

        var text = System.IO.File.ReadAllText(System.IO.Path.Combine(directory.FullName, "docs", "diagnostics.md"));
        Assert.All(DiagnosticDescriptors.All, d => Assert.Contains("<a id=\"" + d.Id.ToLowerInvariant() + "\"></a>\n## " + d.Id + ": ", text));
    }

    private static (string Source, TextSpan Span) Parse(string markup)
    {
        var start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        var end = markup.IndexOf("|]", System.StringComparison.Ordinal);
        var source = markup.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
