using System.Linq;
using Microsoft.CodeAnalysis;

namespace Nn.Generator.Tests;

/// <summary>Source → generated file, pinned as Snapshots/*.verified.cs. These files are also the reference for what the generator writes.</summary>
public class GeneratorSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        {
            "SpiralNet",
            """
            using Nn;
            namespace Demo;

            [Input(2)]
            [Affine(100), ReLU]
            [Affine(3), Softmax]
            public partial class SpiralNet;
            """
        },
        {
            "EmbeddedWeights",
            """
            using Nn;
            namespace Demo;

            // [Weights]: new EmbeddedWeights() loads the embedded file, whose header the documentation summarizes.
            [Weights("models/fashion-torch.safetensors")]
            [Input(28, 28)]
            [Affine(100), ReLU]
            [Affine(10), Softmax]
            public partial class EmbeddedWeights;
            """
        },
        {
            "BatchNormDropout",
            """
            using Nn;
            namespace Demo;

            // CS231n's batch normalization between the product and the ReLU, inverted dropout after it.
            [Input(20)]
            [Affine(16), BatchNorm, ReLU, Dropout(0.5)]
            [Affine(8), BatchNorm(Momentum = 0.8, Epsilon = 1e-3), Tanh, Dropout(0.25)]
            [Affine(4), Softmax]
            public partial class BatchNormDropout;
            """
        },
        {
            "LinearDouble",
            """
            using Nn;
            namespace Demo.Linear;

            /// <summary>The CS231n softmax linear classifier, in double precision.</summary>
            [Input(2, Precision = Precision.Double)]
            [Affine(3), Softmax]
            internal partial class LinearDouble;
            """
        },
        {
            "ImageNet",
            """
            using Nn;

            // 28×28 images, three hidden layers, no head: inference only, no trainer.
            [Input(28, 28)]
            [Affine(300), ReLU]
            [Affine(300), ReLU]
            [Affine(500), ReLU]
            [Affine(10)]
            public partial class ImageNet { }
            """
        },
        {
            "DeepDouble",
            """
            using Nn;
            namespace Demo;

            [Input(4, 3, Precision = Precision.Double)]
            [Affine(16), ReLU]
            [Affine(8)]
            [Affine(5), Softmax]
            public partial class DeepDouble;
            """
        },
        {
            "MixedActivations",
            """
            using Nn;
            namespace Demo;

            // CIFAR-10 shaped input; every elementwise activation; a multiclass SVM head; a fixed-scale layer.
            [Input(32, 32, 3)]
            [Affine(100, Init = Init.Fixed, Scale = 0.01), LeakyReLU(0.01)]
            [Affine(60), Tanh]
            [Affine(40, Init = Init.He), Sigmoid]
            [Affine(10), Svm]
            public partial class MixedActivations;
            """
        },
        {
            "MaxoutDouble",
            """
            using Nn;
            namespace Demo;

            // Maxout in a hidden layer and before the head, and two activations stacked on one layer.
            [Input(10, Precision = Precision.Double)]
            [Affine(20), Maxout(2)]
            [Affine(8), ReLU, Tanh]
            [Affine(6), Maxout(2), Softmax]
            public partial class MaxoutDouble;
            """
        },
        {
            "BinarySvm",
            """
            using Nn;
            namespace Demo;

            [Input(5)]
            [Affine(16), ReLU]
            [Affine(1), Svm]
            public partial class BinarySvm;
            """
        },
        {
            "Logistic",
            """
            using Nn;
            namespace Demo;

            // The notes' binary softmax classifier: logistic regression.
            [Input(2)]
            [Affine(1), Logistic]
            public partial class Logistic;
            """
        },
        {
            "Regression",
            """
            using Nn;
            namespace Demo;

            [Input(3, Precision = Precision.Double)]
            [Affine(8), Tanh]
            [Affine(2), MeanSquaredError]
            public partial class Regression;
            """
        },
    };

    // An invalid network (NN0014 here) gets only its public surface, every member throwing: the file that keeps use sites
    // compiling so that the NN error is the only one.
    [Fact]
    public void BrokenDeclarationGetsItsSurface()
    {
        const string source = """
            using Nn;
            namespace Demo;

            [Input(20)]
            [Affine(16), BatchNorm, LeakyReLU(2), Dropout(0.5)]
            [Affine(4), Softmax]
            public partial class BrokenNet;
            """;
        var (result, output, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Snapshot.Match(GeneratorHarness.GeneratedText(result), "GeneratorSnapshotTests.BrokenNet");
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal("NN0014", Assert.Single(GeneratorHarness.AnalyzerDiagnostics(output)).Id);
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void GeneratedFileMatchesSnapshot(string name, string source)
    {
        var weights = GeneratorHarness.SampleWeights(source);
        var (result, output, driver) = GeneratorHarness.Run(GeneratorHarness.Compile(source), weights);

        Assert.Empty(result.Diagnostics);
        Assert.EndsWith(name + ".g.cs", result.Results.Single().GeneratedSources.Single().HintName);
        Snapshot.Match(GeneratorHarness.GeneratedText(result), "GeneratorSnapshotTests." + name);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(output, weights), d => d.Severity == DiagnosticSeverity.Error);

        // Running again on the same compilation reuses every cached step.
        var again = driver.RunGenerators(GeneratorHarness.Compile(source)).GetRunResult().Results.Single();
        Assert.All(
            again.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        var source = (string)Declarations.Select(d => d[1]).First();
        var first = GeneratorHarness.GeneratedText(GeneratorHarness.Run(source).Result);
        var second = GeneratorHarness.GeneratedText(GeneratorHarness.Run(source).Result);
        Assert.Equal(first, second);
    }
}
