using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Nn.Generator.Tests;

/// <summary>Compiles test sources against the real attributes and runtime, through the real generator and analyzer.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly MetadataReference[] References = BuildReferences();

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "TestNetworks",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: "Net" + i + ".cs")),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new NnGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its result and the compilation with the generated files added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output, GeneratorDriver Driver) Run(CSharpCompilation compilation, params AdditionalText[] files)
    {
        var driver = Driver().AddAdditionalTexts(files.ToImmutableArray()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output, driver);
    }

    public static (GeneratorDriverRunResult Result, Compilation Output, GeneratorDriver Driver) Run(string source) => Run(Compile(source));

    /// <summary>The single generated file's text, with the version scrubbed.</summary>
    public static string GeneratedText(GeneratorDriverRunResult result) =>
        result.Results.Single().GeneratedSources.Single().SourceText.ToString().Replace(NnGenerator.Version, "%VERSION%");

    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation, params AdditionalText[] files) =>
        compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NnAnalyzer()), new AnalyzerOptions(files.ToImmutableArray()))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// What the build wiring (src/Nn.Runtime/buildTransitive/Nn.Weights.targets) hands the compiler for the NnWeights item
    /// <paramref name="path"/> holding <paramref name="file"/>: its path, its length and its JSON header.
    /// </summary>
    public static AdditionalText WeightsHeader(string path, byte[] file)
    {
        var length = BitConverter.ToUInt64(file, 0);
        var json = System.Text.Encoding.UTF8.GetString(file, 8, (int)length);
        var normalized = path.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized.Substring(2);
        }

        return new Text(normalized.Replace('/', '_') + ".nnweights", $"nn-weights 1\npath={normalized}\nlength={file.Length}\nheader={json}");
    }

    /// <summary>
    /// The convention of the doc snippets, the diagnostic cases and the snapshots: every <c>[Weights("…fashion-torch.safetensors")]</c>
    /// path in <paramref name="source"/> is an NnWeights item holding samples/models/fashion-torch.safetensors (the PyTorch-trained
    /// 784-100-10 MLP); other paths are no item.
    /// </summary>
    public static AdditionalText[] SampleWeights(string source) =>
        System.Text.RegularExpressions.Regex.Matches(source, @"\[Weights\(""([^""]*fashion-torch\.safetensors)""")
            .Select(m => m.Groups[1].Value).Distinct()
            .Select(path => WeightsHeader(path, File.ReadAllBytes(Path.Combine(RepositoryRoot, "samples", "models", "fashion-torch.safetensors"))))
            .ToArray();

    /// <summary>The folder holding README.md and samples/, above the test's output folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(directory.FullName, "samples", "models", "fashion-torch.safetensors")))
            {
                directory = directory.Parent ?? throw new FileNotFoundException("samples/models not found above " + AppContext.BaseDirectory);
            }

            return directory.FullName;
        }
    }

    /// <summary>An additional file in memory.</summary>
    public sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
            Microsoft.CodeAnalysis.Text.SourceText.From(text, System.Text.Encoding.UTF8);
    }

    /// <summary>Compiler errors and warnings of the compilation (not the analyzer's).</summary>
    public static Diagnostic[] CompilerProblems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();

    private static MetadataReference[] BuildReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var ours = new[]
        {
            typeof(InputAttribute).Assembly.Location,
            typeof(Nn.Kernels.Guard).Assembly.Location,
            typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location,
        };
        return platform.Concat(ours).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }
}
