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
        { "NN0011", "[Input(2)] [Affine(3), ReLU, [|ReLU|]] public partial class Net;", "remove this one" },
        { "NN0012", "[Input(2)] [Affine(1), [|Softmax|]] public partial class Net;", "use [Affine(2), Softmax]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsIdLocationAndFix(string id, string markup, string fix)
    {
        var (source, span) = Parse("using Nn;\n" + markup);
        var compilation = GeneratorHarness.Compile(source);

        var diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains(fix, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("#" + id.ToLowerInvariant(), diagnostic.Descriptor.HelpLinkUri);

        // The generator emits nothing for an invalid network, and reports nothing itself.
        var (result, _, _) = GeneratorHarness.Run(compilation);
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void ValidNetworkHasNoDiagnostics()
    {
        var compilation = GeneratorHarness.Compile("using Nn; [Input(2)] [Affine(100), ReLU] [Affine(3), Softmax] public partial class Net;");
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(compilation));
    }

    [Fact]
    public void NonConstantArgumentIsLeftToTheCompiler()
    {
        // CS0120/CS0182 from the compiler is the one error; Nn adds none and emits nothing.
        var compilation = GeneratorHarness.Compile("using Nn; [Input(2)] [Affine(Net.Size)] public partial class Net { public int Size = 3; }");
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(compilation));
        var (result, output, _) = GeneratorHarness.Run(compilation);
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Null(result.Results.Single().Exception);
        Assert.Contains(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS"));
    }

    [Fact]
    public void EveryDescriptorHasATest()
    {
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();
        var untested = DiagnosticDescriptors.All.Select(d => d.Id).Where(id => id != "NN9999" && !tested.Contains(id)).ToList();
        Assert.Equal(new string[0], untested);
    }

    private static (string Source, TextSpan Span) Parse(string markup)
    {
        var start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        var end = markup.IndexOf("|]", System.StringComparison.Ordinal);
        var source = markup.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
