using System;
using System.Globalization;
using System.Linq;
using Nn.Generator.Model;
using static Nn.Generator.Tests.Models;

namespace Nn.Generator.Tests;

/// <summary>Model → text, without a compilation: what the emitter writes for models built by hand.</summary>
public class EmitterTests
{
    /// <summary>
    /// Emitted lines stay readable. The regularization sum is written one term per line and Save's summary no longer
    /// lists the tensors, so no generated line grows with the layer count; the longest left are doc comments and calls
    /// with many named arguments (a BatchNorm's forward call).
    /// </summary>
    private const int MaxLineLength = 240;

    public static TheoryData<string> Networks => new() { "Spiral", "Mixed", "Maxout", "Regression", "Linear", "Wide", "Regularized" };

    [Fact]
    public void EveryAffineOfTheOneSamplePassIsAGemvForwardCallWithLiteralShapes()
    {
        var text = Emit(Spiral());
        var forwardOne = Section(text, "private void ForwardOne(", "\n        }\n");

        Assert.Contains(
            "global::Nn.Kernels.Gemv.Forward<float>(x, W1, b1, h1, k: 2, n: 100, epilogue: global::Nn.Kernels.Epilogue.Relu);",
            forwardOne);
        Assert.Contains("global::Nn.Kernels.Gemv.Forward<float>(h1, W2, b2, scores, k: 100, n: 3);", forwardOne);
        Assert.Equal(2, Count(forwardOne, "global::Nn.Kernels.Gemv."));
        Assert.Contains("// (1) Affine 1 + ReLU: h1 = max(0, x·W1 + b1)    [1×100] = [1×2]·[2×100]", forwardOne);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void NothingInTheOutputDependsOnTheMachinesVectorWidth(string name)
    {
        var text = Emit(Named(name));

        Assert.DoesNotContain("512-bit", text);
        Assert.DoesNotContain("register", text);
        Assert.DoesNotContain("lanes", text);
        Assert.DoesNotContain("AVX", text);
        Assert.DoesNotContain("Gemv.Wide", text);
        Assert.DoesNotContain("Gemv.Narrow", text);
        Assert.DoesNotContain("Gemv.Packed", text);
        Assert.Contains("the runtime picks the kernel", text);
    }

    [Fact]
    public void BatchNormAndDropoutSplitTrainingFromInference()
    {
        var text = Emit(Named("Regularized"));
        var forwardCore = Between(text, "private void ForwardCore(", "private void ForwardOne(");
        var forwardOne = Between(text, "private void ForwardOne(", "public int Predict(");
        var training = Between(text, "private void ForwardTraining(", "public float Evaluate(");

        // inference: running statistics, no dropout, in the batch and the one-sample pass
        Assert.Equal(2, Count(forwardCore, "BatchNormKernels.ForwardInference<float>("));
        Assert.Equal(2, Count(forwardOne, "BatchNormKernels.ForwardInference<float>("));
        Assert.DoesNotContain("DropoutKernels", forwardCore + forwardOne);
        // training: batch statistics with the declared momentum and epsilon, and a mask per dropout
        Assert.Contains("momentum: 0.99f, epsilon: 0.001f);", training);
        Assert.Equal(2, Count(training, "BatchNormKernels.ForwardTraining<float>("));
        Assert.Contains("DropoutKernels.Forward<float>(h1, h1, new global::System.Span<float>(_mask1, 0, N * 256), p: 0.2, ref _rng);", training);
        // the sigmoid's output is restored before its backward pass reads it; a ReLU's needs no restoring
        Assert.Contains("DropoutKernels.Unscale<float>(h2,", text);
        Assert.DoesNotContain("DropoutKernels.Unscale<float>(h1,", text);
        Assert.Contains("public Trainer(Regularized network, int maxBatch, ulong seed = 0)", text);
        Assert.Contains("Tensors, State, StateTensors, Architecture);", text);
        // weights files tell apart networks whose inference differs: non-default BatchNorm options are in the architecture
        Assert.Contains(
            "\"[Input(784)] [Affine(256), BatchNorm, ReLU, Dropout(0.2)] [Affine(128), BatchNorm(Momentum = 0.99, Epsilon = 0.001), ",
            text);
    }

    [Fact]
    public void DoubleArgumentsAreWrittenAsTheUserWroteThem()
    {
        // G17 alone writes 0.2 as 0.20000000000000001: the shortest form that reads back the same double is used
        var text = Emit(Network("Leaky", Input(2), Affine(4), LeakyReLU(0.2), Affine(3), Layer(LayerKind.Softmax)));

        Assert.Contains("Architecture = \"[Input(2)] [Affine(4), LeakyReLU(0.2)] [Affine(3), Softmax]\";", text);
        Assert.Contains("Argument: 0.2)", text);
        Assert.DoesNotContain("0.20000000000000001", text);
    }

    [Fact]
    public void TheGeneratorsOwnSourceHasNoLineOver150Characters()
    {
        var root = System.IO.Path.Combine(RepositoryRoot(), "src", "Nn.Generator");
        var files = System.IO.Directory.EnumerateFiles(root, "*.cs", System.IO.SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count > 15, $"only {files.Count} generator files under {root}");
        foreach (var file in files)
        {
            var lines = System.IO.File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                Assert.True(lines[i].Length <= 150, $"{System.IO.Path.GetFileName(file)}:{i + 1} is {lines[i].Length} characters");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new System.IO.DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "Nn.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Nn.sln not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void NoEmittedLineIsTooLongOrEndsInWhitespace(string name)
    {
        var lines = Emit(Named(name)).Split('\n');

        Assert.All(lines, line => Assert.True(line.Length <= MaxLineLength, $"{line.Length} characters: {line}"));
        Assert.All(lines, line => Assert.False(line.EndsWith(' ') || line.EndsWith('\r'), "trailing whitespace: " + line));
        Assert.DoesNotContain(lines, line => line.TrimEnd().EndsWith('\\'));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void OutputIsDeterministic(string name)
    {
        Assert.Equal(Emit(Named(name)), Emit(Named(name)));
    }

    [Fact]
    public void NumbersAreInvariantWhateverTheCulture()
    {
        // Decimal comma and a typographic minus, as some cultures have, built by hand so that the test
        // means the same with or without ICU.
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = " ";
        culture.NumberFormat.NegativeSign = "\u2212";
        var model = Named("Mixed");
        var invariant = Emit(model);

        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal(invariant, Emit(model));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Contains("alpha: 0.01f", invariant);
        Assert.Contains("weightScale ?? 0.01f", invariant);
    }

    [Fact]
    public void MembersFollowTheHead()
    {
        var regression = Emit(Named("Regression"));
        Assert.DoesNotContain(" Predict(", regression);
        Assert.DoesNotContain(" Probabilities(", regression);
        Assert.Contains("public sealed class Trainer\n", regression);

        var svm = Emit(Network("Svm", Input(4), Affine(3), Layer(LayerKind.Svm)));
        Assert.Contains(" Predict(", svm);
        Assert.DoesNotContain(" Probabilities(", svm);

        var headless = Emit(Network("Headless", Input(4), Affine(1)));
        Assert.DoesNotContain(" Predict(", headless);
        Assert.DoesNotContain("class Trainer", headless);
    }

    [Fact]
    public void WriterJoinsContinuedLinesAndDropsCarriageReturns()
    {
        var w = new SourceWriter();
        using (w.Block("class C"))
        {
            w.WriteLine("// one \\\r\n    line\r\n\r\nint x;");
            w.WriteLine($"int y = {1.5};");
        }

        Assert.Equal("class C\n{\n    // one line\n\n    int x;\n    int y = 1.5;\n}\n", w.ToString());
    }

    private static string Emit(NetworkModel model) => NnGenerator.Emitter.Emit(model, "1.2.3");

    private static NetworkModel Named(string name) => name switch
    {
        "Spiral" => Spiral(),
        "Mixed" => Network(
            "Mixed",
            Input(32, 32, 3),
            Affine(100, InitKind.Fixed, 0.01),
            LeakyReLU(0.01),
            Affine(60),
            Layer(LayerKind.Tanh),
            Affine(40, InitKind.He),
            Layer(LayerKind.Sigmoid),
            Affine(10),
            Layer(LayerKind.Svm)),
        "Maxout" => Network(
            "MaxoutNet", ElementType.Double, Input(10), Affine(20), Maxout(2), Affine(8), Layer(LayerKind.ReLU), Layer(LayerKind.Tanh),
            Affine(6), Maxout(2), Layer(LayerKind.Softmax)),
        "Regression" => Network("Regression", ElementType.Double, Input(3), Affine(8), Layer(LayerKind.Tanh), Affine(2), Layer(LayerKind.MeanSquaredError)),
        "Linear" => Network("Linear", Input(2), Affine(1), Layer(LayerKind.Logistic)),
        "Wide" => Network("Wide", Input(28, 28), Affine(512), Layer(LayerKind.ReLU), Affine(512), Layer(LayerKind.ReLU), Affine(10)),
        "Regularized" => Network(
            "Regularized", Input(784), Affine(256), BatchNorm(), Layer(LayerKind.ReLU), Dropout(0.2), Affine(128), BatchNorm(0.99, 1e-3),
            Layer(LayerKind.Sigmoid), Dropout(0.1), Affine(10), Layer(LayerKind.Softmax)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static NetworkModel Spiral() => Network("SpiralNet", Input(2), Affine(100), Layer(LayerKind.ReLU), Affine(3), Layer(LayerKind.Softmax));

    private static string Section(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, "no " + start);
        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        return text.Substring(from, to - from);
    }

    // The text from the first `from` to the next `to` after it.
    private static string Between(string text, string from, string to)
    {
        var start = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(start >= 0, "missing: " + from);
        var end = text.IndexOf(to, start, StringComparison.Ordinal);
        Assert.True(end >= 0, "missing after " + from + ": " + to);
        return text[start..end];
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, string.Empty).Length) / what.Length;
}
