using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Nn.Generator;

namespace Nn.CodeFixes.Tests;

/// <summary>Each fix applied to the analyzer's real diagnostic in a workspace, and the result re-analyzed clean.</summary>
public class CodeFixTests
{
    [Theory]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic class Net;\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic partial class Net;\n")]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\nclass Net { }\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npartial class Net { }\n")]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\ninternal sealed class Net;\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\ninternal sealed partial class Net;\n")]
    public void AddsPartial(string before, string after) => AssertFix(before, after, "NN0001");

    [Theory]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic partial record Net;\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic partial class Net;\n")]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic partial record class Net { }\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npublic partial class Net { }\n")]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\ninternal readonly partial record struct Net;\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\ninternal partial class Net;\n")]
    [InlineData(
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\nstruct Net { }\n",
        "using Nn;\n[Input(2)] [Affine(3), Softmax]\npartial class Net { }\n")]
    public void TurnsARecordOrStructIntoAPartialClass(string before, string after) => AssertFix(before, after, "NN0010");

    [Fact]
    public void TurnsOneOutputSoftmaxIntoLogistic() => AssertFix(
        "using Nn;\n[Input(2)]\n[Affine(1), Softmax]\npublic partial class Net;\n",
        "using Nn;\n[Input(2)]\n[Affine(1), Logistic]\npublic partial class Net;\n",
        "NN0012");

    private static void AssertFix(string before, string after, string id)
    {
        var document = CreateDocument(before);
        var diagnostic = Assert.Single(Analyze(document));
        Assert.Equal(id, diagnostic.Id);

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        new NnCodeFixProvider().RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        var action = Assert.Single(actions);
        var operation = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult().OfType<ApplyChangesOperation>().Single();
        var fixedDocument = operation.ChangedSolution.GetDocument(document.Id)!;

        Assert.Equal(after, fixedDocument.GetTextAsync().GetAwaiter().GetResult().ToString());
        Assert.Empty(Analyze(fixedDocument));
    }

    private static ImmutableArray<Diagnostic> Analyze(Document document)
    {
        var compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        return compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NnAnalyzer()))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Append(typeof(InputAttribute).Assembly.Location).Select(p => MetadataReference.CreateFromFile(p));
        var project = workspace.AddProject("Networks", LanguageNames.CSharp)
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.CSharp12))
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .AddMetadataReferences(references);
        return project.AddDocument("Net.cs", SourceText.From(source));
    }
}
