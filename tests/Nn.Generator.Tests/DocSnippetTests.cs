using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nn.Generator.Tests;

/// <summary>
/// Every C# block (```csharp, ```cs or ```c#) of README.md and docs/**/*.md compiles through the real generator and
/// analyzer, against the runtime, the attributes and Nn.Onnx. The conventions a doc writer needs:
/// <list type="bullet">
/// <item>A block is one C# file of a console app with implicit usings and <c>using Nn;</c>: statements run as top-level
/// statements, types may follow them. Types declared in earlier blocks of the same Markdown file are visible (unless this
/// block declares the same name), so a page can declare a network once and use it below.</item>
/// <item><c>// NN0004</c> (or any <c>// XX0000 ...</c> ID, or several: <c>// NN0017, CS0182 ...</c>) after code on a line: that
/// line must get that diagnostic; a block
/// with such marks shows a mistake, so its types are not carried to later blocks. Any other error, or any NN warning, fails.</item>
/// <item><c>&lt;!-- snippet: prelude C# statements --&gt;</c> on the lines just above the block: hidden statements run
/// before it, to declare what a fragment uses (<c>float[] x = ...;</c>).</item>
/// <item><c>&lt;!-- snippet: excerpt-of path/from/repository/root --&gt;</c>: the block is an excerpt of that file (generated
/// code, say): each of its non-blank lines must appear there, in order.</item>
/// <item><c>&lt;!-- snippet: skip reason --&gt;</c>: not compiled; keep it rare and say why.</item>
/// <item><c>[Weights("any/folder/fashion-torch.safetensors")]</c> in a block: the analyzer is given that path as an NnWeights
/// item holding samples/models/fashion-torch.safetensors (the PyTorch-trained 784-100-10 MLP), so the declaration must fit
/// it; other [Weights] paths are no NnWeights item (NN0028).</item>
/// </list>
/// </summary>
public sealed class DocSnippetTests
{
    private static readonly string Root = RepositoryRoot();

    private static readonly string[] ImplicitUsings =
    {
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks", "Nn",
    };

    private static readonly MetadataReference[] OnnxReferences =
    {
        MetadataReference.CreateFromFile(typeof(Nn.Onnx.OnnxExporter).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Google.Protobuf.CodedOutputStream).Assembly.Location),
    };

    public static IEnumerable<object[]> Files() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/')).Order(StringComparer.Ordinal))
            .Select(p => new object[] { p });

    [Fact]
    public void TheDocsHaveSnippets()
    {
        var blocks = Files().SelectMany(f => Blocks((string)f[0])).ToList();
        Assert.True(blocks.Count >= 50, $"found {blocks.Count} C# blocks; the extractor lost them");
        Assert.True(blocks.Count(b => b.Directive?.StartsWith("skip", StringComparison.Ordinal) == true) <= 3, "more than 3 skipped blocks");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EverySnippetCompiles(string file)
    {
        var failures = new List<string>();
        var carried = new Dictionary<string, MemberDeclarationSyntax>(StringComparer.Ordinal);   // types of earlier blocks, by name
        foreach (var block in Blocks(file))
        {
            if (block.Directive?.StartsWith("skip", StringComparison.Ordinal) == true)
            {
                Assert.False(block.Directive.Trim() == "skip", $"{file}:{block.Line}: a skipped block must say why");
                continue;
            }

            if (block.Directive?.StartsWith("excerpt-of ", StringComparison.Ordinal) == true)
            {
                failures.AddRange(CheckExcerpt(file, block, block.Directive["excerpt-of ".Length..].Trim()));
                continue;
            }

            var prelude = block.Directive?.StartsWith("prelude ", StringComparison.Ordinal) == true ? block.Directive["prelude ".Length..] : string.Empty;
            failures.AddRange(Compile(file, block, prelude, carried));
        }

        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) in the C# blocks of {file}:\n" + string.Join("\n", failures));
    }

    private static IEnumerable<string> Compile(string file, Block block, string prelude, Dictionary<string, MemberDeclarationSyntax> carried)
    {
        var lines = block.Code.Split('\n');
        var usingCount = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) || l.Trim().Length == 0).Count();
        var text = new StringBuilder();
        text.Append("#line ").Append(block.Line).Append(" \"").Append(file).Append("\"\n");
        foreach (var line in lines.Take(usingCount))
        {
            text.Append(line).Append('\n');
        }

        text.Append("#line hidden\n").Append(prelude).Append('\n');
        text.Append("#line ").Append(block.Line + usingCount).Append(" \"").Append(file).Append("\"\n");
        foreach (var line in lines.Skip(usingCount))
        {
            text.Append(line).Append('\n');
        }

        var tree = CSharpSyntaxTree.ParseText(text.ToString(), GeneratorHarness.ParseOptions, path: file + ".cs");
        var declared = TypeDeclarations(tree).ToList();
        var names = declared.Select(Name).ToHashSet(StringComparer.Ordinal);
        var others = carried.Where(kv => !names.Contains(kv.Key)).Select(kv => kv.Value).ToList();
        var trees = new List<SyntaxTree> { tree, GlobalUsings() };
        if (others.Count > 0)
        {
            trees.Add(CSharpSyntaxTree.Create(SyntaxFactory.CompilationUnit().WithMembers(SyntaxFactory.List(others)), GeneratorHarness.ParseOptions, path: "earlier-blocks.cs"));
        }

        var program = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = GeneratorHarness.Compile().AddSyntaxTrees(trees).AddReferences(OnnxReferences)
            .WithOptions(new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        var (result, output, _) = GeneratorHarness.Run(compilation);
        var weights = GeneratorHarness.SampleWeights(string.Concat(trees.Select(t => t.ToString())));
        var diagnostics = output.GetDiagnostics().Concat(result.Diagnostics).Concat(GeneratorHarness.AnalyzerDiagnostics(output, weights))
            .Where(d => d.Severity == DiagnosticSeverity.Error || d.Id.StartsWith("NN", StringComparison.Ordinal))
            .Select(d => (d.Id, Line: d.Location.GetMappedLineSpan().StartLinePosition.Line + 1, File: d.Location.GetMappedLineSpan().Path, Message: d.GetMessage()))
            .Distinct()
            .ToList();

        var expected = new HashSet<(string Id, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var mark = Regex.Match(lines[i], @"//\s*([A-Z]{2}\d{4}\b(?:,\s*[A-Z]{2}\d{4}\b)*)");
            foreach (var id in mark.Success ? mark.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries) : Array.Empty<string>())
            {
                expected.Add((id, block.Line + i));
            }
        }

        var problems = new List<string>();
        foreach (var d in diagnostics)
        {
            if (!expected.Contains((d.Id, d.Line)))
            {
                problems.Add($"{file}:{(d.File == file ? d.Line : block.Line)}: {d.Id} {d.Message}" + (d.File == file ? string.Empty : $" (in {d.File}:{d.Line}, the block starting at line {block.Line})"));
            }
        }

        foreach (var (id, line) in expected)
        {
            if (!diagnostics.Any(d => d.Id == id && d.Line == line && d.File == file))
            {
                problems.Add($"{file}:{line}: expected {id} on this line; got {(diagnostics.Count == 0 ? "none" : string.Join(", ", diagnostics.Select(d => $"{d.Id} at line {d.Line}")))}");
            }
        }

        if (expected.Count == 0 && problems.Count == 0)
        {
            foreach (var type in declared)
            {
                carried[Name(type)] = type.WithoutTrivia();
            }
        }

        return problems;
    }

    private static IEnumerable<string> CheckExcerpt(string file, Block block, string source)
    {
        var path = Path.Combine(Root, source);
        if (!File.Exists(path))
        {
            yield return $"{file}:{block.Line}: excerpt-of {source}: no such file";
            yield break;
        }

        var haystack = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        var at = 0;
        var lines = block.Code.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var needle = lines[i].Trim();
            if (needle.Length == 0)
            {
                continue;
            }

            var found = haystack.FindIndex(at, l => l == needle);
            if (found < 0)
            {
                yield return $"{file}:{block.Line + i}: not in {source} (after its line {at}): {needle}";
                yield break;
            }

            at = found + 1;
        }
    }

    private static SyntaxTree GlobalUsings() => CSharpSyntaxTree.ParseText(
        string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), GeneratorHarness.ParseOptions, path: "implicit-usings.cs");

    private static IEnumerable<MemberDeclarationSyntax> TypeDeclarations(SyntaxTree tree) =>
        ((CompilationUnitSyntax)tree.GetRoot()).Members.Where(m => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax);

    private static string Name(MemberDeclarationSyntax member) => member switch
    {
        BaseTypeDeclarationSyntax t => t.Identifier.ValueText,
        DelegateDeclarationSyntax d => d.Identifier.ValueText,
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };

    /// <summary>A fenced C# block: its first code line's number (1-based) and the snippet directive just above it, if any.</summary>
    private sealed record Block(int Line, string Code, string? Directive);

    private static IEnumerable<Block> Blocks(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, file));
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = fence[3..].Trim();
            var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            Assert.True(end > i, $"{file}:{i + 1}: a fenced block that does not end");
            if (language is "csharp" or "cs" or "c#")
            {
                yield return new Block(i + 2, string.Join("\n", lines[(i + 1)..end]), Directive(lines, i));
            }

            i = end;
        }
    }

    // The `<!-- snippet: ... -->` comment on the non-blank lines just above line `fence` (it may span lines).
    private static string? Directive(string[] lines, int fence)
    {
        var j = fence - 1;
        while (j >= 0 && lines[j].Trim().Length == 0)
        {
            j--;
        }

        if (j < 0 || !lines[j].TrimEnd().EndsWith("-->", StringComparison.Ordinal))
        {
            return null;
        }

        var start = j;
        while (start >= 0 && !lines[start].Contains("<!--", StringComparison.Ordinal))
        {
            start--;
        }

        if (start < 0)
        {
            return null;
        }

        var comment = string.Join("\n", lines[start..(j + 1)]).Trim();
        const string Prefix = "<!-- snippet:";
        return comment.StartsWith(Prefix, StringComparison.Ordinal) ? comment[Prefix.Length..^3].Trim() : null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Nn.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Nn.sln not found above " + AppContext.BaseDirectory);
    }
}
