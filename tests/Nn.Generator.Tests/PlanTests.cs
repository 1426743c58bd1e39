using System.Linq;
using Nn.Generator.Model;
using static Nn.Generator.Tests.Models;

namespace Nn.Generator.Tests;

/// <summary>The plan works a network's facts out once; the validator reads them instead of working them out again.</summary>
public class PlanTests
{
    [Fact]
    public void MaxoutDividesInThePlanAndTheValidatorReadsIt()
    {
        var model = Network("Net", Input(2), Affine(12), Maxout(3), Layer(LayerKind.Softmax));
        var plan = NetworkPlan.Build(model);

        Assert.Equal(4, plan.OutputSize);
        Assert.Equal(12, plan.WidthInto(model.Layers[2]));   // Maxout(3) reads the Affine's 12 outputs
        Assert.Equal(4, plan.WidthInto(model.Layers[3]));    // Softmax reads 4 units
        Assert.Equal(4, plan.NeuronCount);
        Assert.Empty(NnGenerator.Validator.Validate(model));
    }

    [Theory]
    [InlineData(12, 3, "Logistic", "NN0015", "4")]   // [Logistic] on the plan's 4 outputs
    [InlineData(3, 3, "Softmax", "NN0012", "1")]     // [Softmax] on the plan's 1 output
    public void HeadChecksReadThePlansWidth(int affine, int pieces, string head, string id, string outputs)
    {
        var model = Network("Net", Input(2), Affine(affine), Maxout(pieces), Layer(Kind(head)));

        var diagnostic = Assert.Single(NnGenerator.Validator.Validate(model));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(outputs, diagnostic.MessageArguments[0]);
    }

    [Fact]
    public void AMaxoutThatDoesNotDivideLeavesTheWidthUnknown()
    {
        // Guessing 10/3 = 3 outputs would add an error on the head to the one on Maxout(3).
        var model = Network("Net", Input(2), Affine(10), Maxout(3), Layer(LayerKind.Logistic));

        Assert.Equal(0, NetworkPlan.Build(model).OutputSize);
        Assert.Equal("NN0013", Assert.Single(NnGenerator.Validator.Validate(model)).Id);
    }

    [Fact]
    public void BrokenDeclarationsStillGetAPlanWithTheirLayerNumbers()
    {
        var model = Network(
            "Net",
            Input(2, 0),
            Layer(LayerKind.ReLU),                        // nothing to act on: left out
            Affine(0),
            Affine(5) with { Size = 0, ErrorArgument = 0 }, // [Affine(Net.Size)]
            Layer(LayerKind.Softmax),                     // not last
            Affine(3),
            Layer(LayerKind.Tanh));

        var plan = NetworkPlan.Build(model);

        Assert.Equal(0, plan.InputSize);
        Assert.Equal(new[] { 1, 2, 3 }, plan.Blocks.Select(b => b.Number));
        Assert.Equal(new[] { 0, 0, 3 }, plan.Blocks.Select(b => b.Out));
        Assert.Equal(new[] { "W1", "b1", "W2", "b2", "W3", "b3" }, plan.Parameters.Select(p => p.Name));
        Assert.Equal(LayerKind.Softmax, plan.Head);
        Assert.True(plan.Declares(MemberNames.Trainer));
        Assert.Single(plan.Blocks[2].Stages);
    }

    [Theory]
    [InlineData("Svm", 1, true, 2, true, false)]
    [InlineData("Svm", 3, false, 3, true, false)]
    [InlineData("Logistic", 1, true, 2, true, true)]
    [InlineData("Softmax", 3, false, 3, true, true)]
    [InlineData("MeanSquaredError", 1, false, 1, false, false)]
    [InlineData("MeanSquaredError", 3, false, 3, false, false)]
    [InlineData(null, 1, false, 1, false, false)]
    [InlineData(null, 3, false, 3, true, false)]
    public void OneOutputIsBinaryOnlyForLogisticAndSvm(
        string? head, int outputs, bool binary, int classes, bool predict, bool probabilities)
    {
        var layers = new[] { Input(4), Affine(outputs) }.Concat(head is { } h ? new[] { Layer(Kind(h)) } : new LayerModel[0]).ToArray();
        var plan = NetworkPlan.Build(Network("Net", layers));

        Assert.Equal(binary, plan.IsBinary);
        Assert.Equal(classes, plan.Classes);
        Assert.Equal(predict, plan.Declares(MemberNames.Predict));
        Assert.Equal(probabilities, plan.Declares(MemberNames.Probabilities));
        Assert.Equal(head is not null, plan.Declares(MemberNames.Trainer));
    }

    [Fact]
    public void SpiralNetsMembersAndLayout()
    {
        var plan = NetworkPlan.Build(Network("SpiralNet", Input(2), Affine(100), Layer(LayerKind.ReLU), Affine(3), Layer(LayerKind.Softmax)));

        Assert.Equal(
            new[]
            {
                "InputSize", "OutputSize", "ParameterCount", "NeuronCount", "LayerCount", "MultiplyAdds",
                "Layer1ParameterCount", "Layer1MultiplyAdds", "Layer2ParameterCount", "Layer2MultiplyAdds",
                "Parameters", "W1", "b1", "W2", "b2", MemberNames.SeedConstructor, "Initialize",
                "Architecture", "Tensors", "Layers", "Save", "Load", "Forward", "ForwardCore", "ForwardOne",
                "Predict", "Probabilities", "t_nnWorkspace", "NnWorkspace", "Trainer",
            },
            plan.Members);
        Assert.Equal(new[] { 0, 200, 300, 600 }, plan.Parameters.Select(p => p.Offset));
        Assert.Equal(603, plan.ParameterCount);
        Assert.Equal(new[] { "h1" }, plan.Hidden.Select(v => v.Name));
        Assert.True(plan.Blocks[0].FusedRelu);
        Assert.All(plan.Blocks.SelectMany(b => b.Stages), s => Assert.Equal(StageMode.Always, s.Mode));
    }

    private static LayerKind Kind(string name) => (LayerKind)System.Enum.Parse(typeof(LayerKind), name);
}
