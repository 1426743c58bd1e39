using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Nn.Generator.Tests;

/// <summary>
/// Thousands of random and malformed declarations through the real generator and analyzer. For every one:
/// the generator does not throw; what it emits compiles without a warning; where it emits nothing, an error
/// (Nn's or the compiler's) says why.
/// </summary>
public class FuzzTests
{
    private const int Compilations = 80;
    private const int ClassesPerCompilation = 25;

    [Fact]
    public void RandomDeclarationsNeverBreakTheGenerator()
    {
        var rng = new Rng(20261124);
        var emitted = 0;
        for (var c = 0; c < Compilations; c++)
        {
            var sources = Enumerable.Range(0, ClassesPerCompilation).Select(i => RandomDeclaration(ref rng, "Net" + i)).ToArray();
            var (result, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(sources));
            var run = result.Results.Single();
            Assert.Null(run.Exception);
            Assert.Empty(result.Diagnostics);

            var generatedTrees = output.SyntaxTrees.Where(NnGenerator.Parser.IsGenerated).ToList();
            var compilerDiagnostics = output.GetDiagnostics();
            var problemsInGenerated = compilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && generatedTrees.Contains(d.Location.SourceTree!)).ToList();
            Assert.True(problemsInGenerated.Count == 0, "Generated code does not compile:\n" + string.Join("\n", problemsInGenerated.Take(5)) + "\nfor:\n" + Culprits(sources, problemsInGenerated, run));

            var analyzerDiagnostics = GeneratorHarness.AnalyzerDiagnostics(output);
            Assert.DoesNotContain(analyzerDiagnostics, d => d.Id == "NN9999");
            for (var i = 0; i < sources.Length; i++)
            {
                var hasOutput = run.GeneratedSources.Any(g => g.HintName == "Net" + i + ".g.cs");
                emitted += hasOutput ? 1 : 0;
                if (!hasOutput && sources[i].Contains("[Input", StringComparison.Ordinal))
                {
                    var file = "Net" + i + ".cs";
                    var explained = analyzerDiagnostics.Concat(compilerDiagnostics)
                        .Any(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath == file);
                    Assert.True(explained, "Nothing was generated and no error says why, for:\n" + sources[i]);
                }
            }
        }

        // The fuzzer must reach the emitter often enough to test it (about half of the declarations are legal).
        Assert.InRange(emitted, Compilations * ClassesPerCompilation / 3, Compilations * ClassesPerCompilation);
    }

    private static string Culprits(string[] sources, List<Diagnostic> problems, GeneratorRunResult run)
    {
        var names = problems.Select(p => System.IO.Path.GetFileName(p.Location.SourceTree!.FilePath)).Distinct();
        return string.Join("\n---\n", names.Select(n => sources[int.Parse(n.Replace("Net", string.Empty).Replace(".g.cs", string.Empty))]));
    }

    private static string RandomDeclaration(ref Rng rng, string name)
    {
        // Two declarations in three are built from legal pieces only (they may still clash, e.g. Logistic on
        // three outputs); the rest draw from every piece, legal or not, and then get mangled.
        if (rng.NextInt(3) != 0)
        {
            return "using Nn;\n" + CleanDeclaration(ref rng, name);
        }

        var text = new StringBuilder("using Nn;\n");
        var attributes = new List<string>();
        if (rng.NextInt(20) != 0)
        {
            attributes.Add(RandomInput(ref rng));
        }

        var layers = 1 + rng.NextInt(5);
        for (var i = 0; i < layers; i++)
        {
            attributes.Add(RandomAffine(ref rng));
            var extras = rng.NextInt(3) == 0 ? rng.NextInt(3) : (rng.NextInt(2) == 0 ? 1 : 0);
            for (var j = 0; j < extras; j++)
            {
                attributes.Add(RandomActivation(ref rng));
            }
        }

        if (rng.NextInt(4) != 0)
        {
            attributes.Add(Pick(ref rng, "Softmax", "Svm", "Logistic", "MeanSquaredError"));
        }

        // Sometimes: shuffle two attributes, repeat [Input], or drop in something that is not Nn's at all.
        if (rng.NextInt(6) == 0 && attributes.Count > 2)
        {
            var a = rng.NextInt(attributes.Count);
            var b = rng.NextInt(attributes.Count);
            (attributes[a], attributes[b]) = (attributes[b], attributes[a]);
        }

        if (rng.NextInt(15) == 0)
        {
            attributes.Add(RandomInput(ref rng));
        }

        if (rng.NextInt(15) == 0)
        {
            attributes.Insert(rng.NextInt(attributes.Count + 1), Pick(ref rng, "Obsolete", "Foo(3)", "Affine(", "ReLU(2)", "Input(2,)"));
        }

        foreach (var attribute in attributes)
        {
            text.Append('[').Append(attribute).Append("]\n");
        }

        var modifiers = rng.NextInt(12) switch
        {
            0 => "public class",
            1 => "public static partial class",
            2 => "internal sealed partial class",
            _ => "public partial class",
        };
        var generic = rng.NextInt(20) == 0 ? "<T>" : string.Empty;
        var body = rng.NextInt(10) switch
        {
            0 => " { public int W1; }",
            1 => " { public void Forward() { } }",
            2 => " { public " + name + "(ulong seed) { } }",
            3 => " { public static int Size = 3; }",
            4 => " {",
            _ => ";",
        };
        text.Append(modifiers).Append(' ').Append(name).Append(generic).Append(body).Append('\n');
        return text.ToString();
    }

    private static string CleanDeclaration(ref Rng rng, string name)
    {
        var text = new StringBuilder();
        var dims = 1 + rng.NextInt(3);
        var shape = new List<string>();
        for (var i = 0; i < dims; i++)
        {
            shape.Add(Pick(ref rng, "1", "2", "3", "5", "8"));
        }

        text.Append("[Input(").Append(string.Join(", ", shape)).Append(rng.NextInt(3) == 0 ? ", Precision = Precision.Double" : string.Empty).Append(")]\n");
        var layers = 1 + rng.NextInt(4);
        var outputs = 0;
        for (var i = 0; i < layers; i++)
        {
            var units = 1 + rng.NextInt(6);
            var activation = rng.NextInt(6) switch
            {
                0 => string.Empty,
                1 => ", Tanh",
                2 => ", LeakyReLU(0.05)",
                3 => ", Maxout(2)",
                4 => ", ReLU, Tanh",
                _ => ", ReLU",
            };
            var size = activation == ", Maxout(2)" ? units * 2 : units;
            outputs = units;
            text.Append("[Affine(").Append(size).Append(rng.NextInt(5) == 0 ? ", Init = Init.Fixed, Scale = 0.01" : string.Empty).Append(')').Append(activation).Append("]\n");
        }

        var head = outputs == 1 ? Pick(ref rng, "Logistic", "Svm", "MeanSquaredError", string.Empty) : Pick(ref rng, "Softmax", "Svm", "MeanSquaredError", string.Empty);
        if (head.Length > 0)
        {
            text.Append('[').Append(head).Append("]\n");
        }

        text.Append("public partial class ").Append(name).Append(";\n");
        return text.ToString();
    }

    private static string RandomInput(ref Rng rng)
    {
        var dims = rng.NextInt(4);
        var values = new List<string>();
        for (var i = 0; i < dims; i++)
        {
            values.Add(Pick(ref rng, "1", "2", "3", "7", "28", "0", "-1", "100000"));
        }

        var precision = rng.NextInt(3) == 0 ? (values.Count > 0 ? ", " : string.Empty) + "Precision = Precision.Double" : string.Empty;
        return dims == 0 && precision.Length == 0 && rng.NextInt(2) == 0 ? "Input" : "Input(" + string.Join(", ", values) + precision + ")";
    }

    private static string RandomAffine(ref Rng rng)
    {
        var size = Pick(ref rng, "1", "2", "3", "4", "6", "10", "17", "0", "-2", "Net0.Size");
        var init = rng.NextInt(8) switch
        {
            0 => ", Init = Init.He",
            1 => ", Init = Init.Xavier",
            2 => ", Init = Init.Fixed, Scale = 0.01",
            3 => ", Init = Init.Fixed",
            4 => ", Scale = 0.5",
            _ => string.Empty,
        };
        return "Affine(" + size + init + ")";
    }

    private static string RandomActivation(ref Rng rng) => rng.NextInt(7) switch
    {
        0 => "ReLU",
        1 => "Sigmoid",
        2 => "Tanh",
        3 => "LeakyReLU(" + Pick(ref rng, "0.01", "0.2", "0", "1", "-0.5", "1.5") + ")",
        4 => "Maxout(" + Pick(ref rng, "2", "3", "1", "0", "5") + ")",
        _ => "ReLU",
    };

    private static string Pick(ref Rng rng, params string[] options) => options[rng.NextInt(options.Length)];
}
