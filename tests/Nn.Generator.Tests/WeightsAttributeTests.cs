using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Nn.Generator.Weights;

namespace Nn.Generator.Tests;

/// <summary>
/// [Weights("file")]: the header the build wiring (Nn.Weights.targets) hands to the compiler is checked against the declaration
/// (NN0028, NN0029) with the runtime's verdicts, and the generated constructor loads the embedded resource. The build wiring
/// itself runs in samples/Classify's build (CI) and in <c>EmbeddedWeightsTests</c> of the end-to-end tests.
/// </summary>
public class WeightsAttributeTests
{
    private const string Path = "models/fashion.safetensors";

    private const string Fashion = """
        using Nn;
        namespace Demo;
        [Weights("models/fashion.safetensors")]
        [Input(28, 28)]
        [Affine(100), ReLU]
        [Affine(10), Softmax]
        public partial class FashionNet;
        """;

    private static readonly (string, string, long[])[] PyTorchFashion =
    {
        ("1.weight", "F32", new long[] { 100, 784 }), ("1.bias", "F32", new long[] { 100 }),
        ("3.weight", "F32", new long[] { 10, 100 }), ("3.bias", "F32", new long[] { 10 }),
    };

    private static readonly (string, string, long[])[] NnFashion =
    {
        ("W1", "F32", new long[] { 784, 100 }), ("b1", "F32", new long[] { 100 }), ("W2", "F32", new long[] { 100, 10 }), ("b2", "F32", new long[] { 10 }),
    };

    [Fact]
    public void APyTorchFileThatFitsHasNoDiagnosticAndIsLoadedByTheConstructor()
    {
        var (diagnostics, generated, errors) = Analyze(Fashion, Header(Path, File(PyTorchFashion)));

        Assert.Empty(diagnostics);
        Assert.Empty(errors);
        Assert.Contains("public FashionNet() => LoadEmbeddedWeights();", generated);
        Assert.Contains("public FashionNet(ulong seed) => Initialize(seed);", generated);
        Assert.Contains("public const string WeightsResource = \"Nn.Weights/models/fashion.safetensors\";", generated);
        Assert.Contains("GetManifestResourceStream(WeightsResource)", generated);
        Assert.Contains("The file: 4 tensors: 1.weight F32 [100, 784], 1.bias F32 [100], 3.weight F32 [10, 100], 3.bias F32 [10].", generated);
    }

    [Fact]
    public void AnNnFileSavedFromTheFlattenedDeclarationFits()
    {
        var file = File(NnFashion, "\"format\":\"nn\",\"architecture\":\"[Input(784)] [Affine(100), ReLU] [Affine(10), Softmax]\"");
        Assert.Empty(Analyze(Fashion, Header("./" + Path, file)).Diagnostics);
    }

    [Fact]
    public void AShapeThatDoesNotFitIsOneNN0029OnThePathNamingTheTensorBothShapesAndTheDeclarationThatFits()
    {
        var tensors = PyTorchFashion.Select(t => t.Item1 == "1.weight" ? (t.Item1, t.Item2, new long[] { 50, 784 }) : t)
            .Select(t => t.Item1 == "1.bias" ? (t.Item1, t.Item2, new long[] { 50 }) : t)
            .Select(t => t.Item1 == "3.weight" ? (t.Item1, t.Item2, new long[] { 10, 50 }) : t).ToArray();
        var diagnostic = Assert.Single(Analyze(Fashion, Header(Path, File(tensors))).Diagnostics);

        Assert.Equal("NN0029", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("\"models/fashion.safetensors\"", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        var message = diagnostic.GetMessage();
        Assert.Contains("'1.weight' has shape [50, 784], but layer 1 (Affine(100) from 784 inputs, PyTorch's Linear(784, 100)) needs [100, 784]", message);
        Assert.Contains("The declaration these shapes match is [Input(784)] [Affine(50), …] [Affine(10), …]", message);
    }

    [Fact]
    public void AnNnFileOfTheWrongElementTypeIsNN0029NamingBothDTypes()
    {
        var tensors = NnFashion.Select(t => (t.Item1, "F64", t.Item3)).ToArray();
        var diagnostic = Assert.Single(Analyze(Fashion, Header(Path, File(tensors, "\"format\":\"nn\""))).Diagnostics);
        Assert.Equal("NN0029", diagnostic.Id);
        Assert.Contains("tensor 'W1' has dtype F64, expected F32", diagnostic.GetMessage());
        Assert.Contains("Precision = Precision.Double", diagnostic.GetMessage());
    }

    [Fact]
    public void AFileThatIsNotAnItemIsNN0028WithTheLineToAddAndTheItemsThereAre()
    {
        var diagnostic = Assert.Single(Analyze(Fashion, Header("other.safetensors", File(PyTorchFashion))).Diagnostics);
        Assert.Equal("NN0028", diagnostic.Id);
        Assert.Contains("add <NnWeights Include=\"models/fashion.safetensors\" />", diagnostic.GetMessage());
        Assert.Contains("the project's NnWeights items are 'other.safetensors'", diagnostic.GetMessage());

        var none = Assert.Single(Analyze(Fashion).Diagnostics);
        Assert.Equal("NN0028", none.Id);
        Assert.Contains("the project has no NnWeights items", none.GetMessage());
    }

    [Theory]
    [InlineData("error=it cannot be read: Could not find file", "it cannot be read")]
    [InlineData("length=20\nheader={\"a\":", "ends in the middle")]
    [InlineData("length=20\nheader=[1, 2]", "not a JSON object")]
    [InlineData("length=100\nheader={\"x.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "starts at data byte 4")]
    [InlineData("length=100\nheader={\"x.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "12 bytes, but its data_offsets span 8")]
    [InlineData("length=999\nheader={\"x.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "it is 999 bytes long")]
    [InlineData("length=20\nheader={\"a\":1,\"a\":2}", "names 'a' twice")]
    public void AFileThatIsNotSafetensorsIsNN0028SayingWhy(string body, string why)
    {
        var header = new GeneratorHarness.Text("w.nnweights", $"nn-weights 1\npath={Path}\n{body}");
        var diagnostic = Assert.Single(Analyze(Fashion, header).Diagnostics);
        Assert.Equal("NN0028", diagnostic.Id);
        Assert.Contains(why, diagnostic.GetMessage());
    }

    [Fact]
    public void NamedModulesAreRefusedUntilTheAttributeNamesThemInLayerOrder()
    {
        var named = PyTorchFashion.Select(t => (t.Item1.Replace("1.", "fc1.").Replace("3.", "out."), t.Item2, t.Item3)).ToArray();
        var file = Header(Path, File(named));
        var diagnostic = Assert.Single(Analyze(Fashion, file).Diagnostics);
        Assert.Equal("NN0029", diagnostic.Id);
        Assert.Contains("[Weights(\"models/fashion.safetensors\", Modules = new[] { \"fc1\", \"out\" })]", diagnostic.GetMessage());

        var fixedSource = Fashion.Replace("[Weights(\"models/fashion.safetensors\")]", "[Weights(\"models/fashion.safetensors\", Modules = new[] { \"fc1\", \"out\" })]");
        var (diagnostics, generated, errors) = Analyze(fixedSource, file);
        Assert.Empty(diagnostics);
        Assert.Empty(errors);
        Assert.Contains("Load(stream, new global::Nn.WeightsOptions { Modules = new[] { \"fc1\", \"out\" } });", generated);
    }

    [Fact]
    public void AnInvalidDeclarationReportsItsOwnErrorsAndNotTheWeights()
    {
        var broken = Fashion.Replace("[Affine(10), Softmax]", "[Affine(0), Softmax]");
        var diagnostics = Analyze(broken, Header(Path, File(PyTorchFashion))).Diagnostics;
        Assert.Equal(new[] { "NN0004" }, diagnostics.Select(d => d.Id).ToArray());
    }

    [Fact]
    public void AUserConstructorWithoutParametersIsNN0016()
    {
        var source = Fashion.Replace("public partial class FashionNet;", "public partial class FashionNet { public FashionNet() { } }");
        var diagnostic = Assert.Single(Analyze(source, Header(Path, File(PyTorchFashion))).Diagnostics);
        Assert.Equal("NN0016", diagnostic.Id);
        Assert.Contains("a constructor without parameters", diagnostic.GetMessage());
    }

    // The analyzer's verdict on a file is the runtime's: every case is checked by both, and they must agree.
    public static TheoryData<string, byte[]> Files()
    {
        (string, string, long[])[] With(string name, string? dtype = null, long[]? shape = null) =>
            PyTorchFashion.Select(t => t.Item1 == name ? (t.Item1, dtype ?? t.Item2, shape ?? t.Item3) : t).ToArray();
        return new TheoryData<string, byte[]>
        {
            { "pytorch", File(PyTorchFashion) },
            { "pytorch F16", File(PyTorchFashion.Select(t => (t.Item1, "F16", t.Item3)).ToArray()) },
            { "pytorch BF16 and F64", File(With("1.weight", "BF16").Select(t => t.Item1 == "3.bias" ? (t.Item1, "F64", t.Item3) : t).ToArray()) },
            { "pytorch I32", File(With("3.bias", "I32")) },
            { "pytorch transposed", File(With("1.weight", shape: new long[] { 784, 100 })) },
            { "pytorch no bias", File(PyTorchFashion.Where(t => t.Item1 != "3.bias").ToArray()) },
            { "pytorch extra tensor", File(PyTorchFashion.Append(("3.scale", "F32", new long[] { 10 })).ToArray()) },
            { "pytorch extra module", File(PyTorchFashion.Append(("5.weight", "F32", new long[] { 10, 10 })).ToArray()) },
            { "pytorch named", File(PyTorchFashion.Select(t => ("net." + t.Item1.Replace("1.", "a.").Replace("3.", "b."), t.Item2, t.Item3)).ToArray()) },
            { "pytorch prefixed", File(PyTorchFashion.Select(t => ("net." + t.Item1, t.Item2, t.Item3)).ToArray()) },
            { "nn", File(NnFashion, "\"format\":\"nn\"") },
            { "nn no format", File(NnFashion) },
            { "nn other declaration", File(NnFashion, "\"format\":\"nn\",\"architecture\":\"[Input(784)] [Affine(100), Tanh] [Affine(10), Softmax]\"") },
            { "nn F16", File(NnFashion.Select(t => (t.Item1, "F16", t.Item3)).ToArray(), "\"format\":\"nn\"") },
            { "nn missing", File(NnFashion.Take(3).ToArray()) },
            { "nn extra", File(NnFashion.Append(("W3", "F32", new long[] { 1 })).ToArray()) },
            { "nn wrong shape", File(NnFashion.Select(t => t.Item1 == "b2" ? (t.Item1, t.Item2, new long[] { 11 }) : t).ToArray()) },
            { "empty", File(Array.Empty<(string, string, long[])>()) },
            { "trailing byte", File(PyTorchFashion).Append((byte)0).ToArray() },
            { "truncated", File(PyTorchFashion).SkipLast(4).ToArray() },
        };
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TheAnalyzerAcceptsExactlyTheFilesLoadAccepts(string name, byte[] file)
    {
        var analyzer = Analyze(Fashion, Header(Path, file)).Diagnostics;
        string? runtime = null;
        try
        {
            Nn.Safetensors.Load<float>(file, new float[79_510], FashionTensors, default, Array.Empty<TensorInfo>(),
                "[Input(28, 28)] [Affine(100), ReLU] [Affine(10), Softmax]", FashionLayers, null);
        }
        catch (InvalidDataException e)
        {
            runtime = e.Message;
        }

        Assert.True(
            (runtime is null) == analyzer.IsEmpty,
            $"{name}: runtime {(runtime is null ? "accepts" : "refuses: " + runtime)}; analyzer {(analyzer.IsEmpty ? "accepts" : "refuses: " + analyzer[0].GetMessage())}");
    }

    [Fact]
    public void EditingTheWeightsFileRegeneratesItsNetworkOnlyAndAnUnrelatedEditRegeneratesNothing()
    {
        const string Other = "using Nn; namespace Demo; [Input(2)] [Affine(3), Softmax] public partial class Plain;";
        var compilation = GeneratorHarness.Compile(Fashion, Other, "class Unrelated { int A; }");
        var header = Header(Path, File(PyTorchFashion));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NnGenerator().AsSourceGenerator() },
            additionalTexts: new AdditionalText[] { header },
            parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);

        // an unrelated edit: every network's step is cached or unchanged
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText("class Unrelated { int A; int B; }", GeneratorHarness.ParseOptions, path: "Net2.cs"));
        driver = driver.RunGenerators(edited);
        var reasons = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Network].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        // the weights file changes (a retrained model with 128 hidden units): FashionNet's documentation is rewritten, Plain stays
        var retrained = PyTorchFashion.Select(t => (t.Item1, t.Item2, t.Item1 switch
        {
            "1.weight" => new long[] { 128, 784 }, "1.bias" => new long[] { 128 }, "3.weight" => new long[] { 10, 128 }, _ => t.Item3,
        })).ToArray();
        driver = driver.ReplaceAdditionalText(header, Header(Path, File(retrained)));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();
        var outputs = result.TrackedSteps[TrackingNames.Network].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, outputs.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        var fashion = result.GeneratedSources.Single(s => s.HintName.Contains("FashionNet", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("1.weight F32 [128, 784]", fashion);
    }

    [Fact]
    public void HostileHeadersNeverThrow()
    {
        var random = new Random(12345);
        var alphabet = "{}[]\":,0123456789.-eE \\u tfnalsrF32shapedtyp_offsets\n";
        for (var k = 0; k < 5_000; k++)
        {
            var length = random.Next(0, 200);
            var text = new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var header = WeightsHeader.Read($"nn-weights 1\npath=a\nlength={random.Next(0, 300)}\nheader={text}");
            Assert.True(header.Error is not null || header.Entries.Count >= 0);
        }

        var deep = WeightsHeader.Read("nn-weights 1\npath=a\nlength=1\nheader=" + new string('[', 100_000));
        Assert.Contains("deeper than 64", deep.Error);
        Assert.Null(WeightsHeader.PathOf("not a header"));
    }

    private static readonly TensorInfo[] FashionTensors =
    {
        new("W1", 0, new[] { 784, 100 }), new("b1", 78_400, new[] { 100 }), new("W2", 78_500, new[] { 100, 10 }), new("b2", 79_500, new[] { 10 }),
    };

    private static readonly LayerInfo[] FashionLayers =
    {
        new(LayerOp.Affine, 784, 100, "W1", "b1"), new(LayerOp.ReLU, 100, 100), new(LayerOp.Affine, 100, 10, "W2", "b2"),
    };

    // A safetensors file: the 8-byte length, the JSON header (tensors in the order given, back to back), zeros for the data.
    private static byte[] File((string Name, string DType, long[] Shape)[] tensors, string? metadata = null)
    {
        var json = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            var bytes = shape.Aggregate(1L, (a, b) => a * b) * WeightsHeader.ElementSize(dtype);
            json.Append(json.Length > 1 ? "," : string.Empty)
                .Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }

        if (metadata is not null)
        {
            json.Append(json.Length > 1 ? "," : string.Empty).Append("\"__metadata__\":{").Append(metadata).Append('}');
        }

        var header = Encoding.UTF8.GetBytes(json.Append('}').ToString());
        var file = new byte[8 + header.Length + offset];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(file, 0);
        header.CopyTo(file, 8);
        return file;
    }

    private static AdditionalText Header(string path, byte[] file) => GeneratorHarness.WeightsHeader(path, file);

    private static (ImmutableArray<Diagnostic> Diagnostics, string Generated, Diagnostic[] Errors) Analyze(string source, params AdditionalText[] files)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = CSharpGeneratorDriver.Create(
            new[] { new NnGenerator().AsSourceGenerator() }, additionalTexts: files, parseOptions: GeneratorHarness.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var diagnostics = GeneratorHarness.AnalyzerDiagnostics(output, files);
        var generated = string.Concat(output.SyntaxTrees.Skip(1).Select(t => t.ToString()));
        return (diagnostics, generated, GeneratorHarness.CompilerProblems(output));
    }
}
