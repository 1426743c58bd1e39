using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Nn.EndToEnd.Tests;

/// <summary>torch: nn.Sequential(Linear(6, 8), ReLU(), Linear(8, 5), Tanh(), Linear(5, 3)).</summary>
[Input(6)]
[Affine(8), ReLU]
[Affine(5), Tanh]
[Affine(3), Softmax]
public partial class TorchMlpNet;

/// <summary>The same in double precision.</summary>
[Input(6, Precision = Precision.Double)]
[Affine(8), ReLU]
[Affine(5), Tanh]
[Affine(3), Softmax]
public partial class TorchMlpDoubleNet;

/// <summary>torch: nn.Sequential(Linear(6, 8), BatchNorm1d(8), ReLU(), Linear(8, 5), Tanh(), Linear(5, 3)).</summary>
[Input(6)]
[Affine(8), BatchNorm, ReLU]
[Affine(5), Tanh]
[Affine(3), Softmax]
public partial class TorchBatchNormNet;

/// <summary>
/// PyTorch state_dicts load into the equivalent declaration (Linear weights transposed, F32/F16/BF16/F64 converted, positional
/// or named modules) and score like torch; Nn's weights saved in PyTorch's layout load into torch and score the same. The
/// fixtures under PyTorch/Fixtures were written by PyTorch/torch_weights.py; the tests that run torch itself are skipped,
/// saying why, when /usr/bin/python3 has no torch.
/// </summary>
public sealed class PyTorchWeightsTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "PyTorch", "Fixtures");
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "PyTorch", "torch_weights.py");
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-pytorch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mlp-f32")]
    [InlineData("mlp-f16")]
    [InlineData("mlp-bf16")]
    [InlineData("mlp-f64")]
    public void PyTorchFileInEveryFloatDTypeScoresLikeTorch(string fixture)
    {
        var (x, expected) = Expected(fixture);
        var net = new TorchMlpNet();
        net.Load(Path.Combine(Fixtures, fixture + ".safetensors"));
        AssertClose(expected, Scores(net.Forward, x, TorchMlpNet.OutputSize), 1e-5, fixture + " (float network)");

        var twin = new TorchMlpDoubleNet();
        twin.Load(Path.Combine(Fixtures, fixture + ".safetensors"));
        AssertClose(expected, Scores(twin.Forward, ExpectedInputs(), TorchMlpDoubleNet.OutputSize), 1e-12, fixture + " (double network)");
    }

    [Fact]
    public void WeightsAreTransposedFromOutByIn()
    {
        var net = new TorchMlpDoubleNet();
        net.Load(Path.Combine(Fixtures, "mlp-f64.safetensors"));
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "mlp-f64.safetensors"));
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var offsets = header.RootElement.GetProperty("0.weight").GetProperty("data_offsets");
        var first = 8 + headerLength + offsets[0].GetInt32();
        double Torch(int o, int i) => BitConverter.ToDouble(bytes, first + (8 * ((o * 6) + i)));   // 0.weight is [8, 6]
        for (var o = 0; o < 8; o++)
        {
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(Torch(o, i), net.W1[(i * 8) + o]);   // W1 is [6, 8]
            }
        }
    }

    [Fact]
    public void NamedModulesLoadWhenTheCallerNamesThemInLayerOrder()
    {
        var path = Path.Combine(Fixtures, "mlp-named.safetensors");
        var net = new TorchMlpNet(seed: 3);
        var before = (float[])net.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Contains($"Weights file '{path}' cannot be loaded: it holds a PyTorch state_dict that does not fit this network: its module names "
            + "(fc1, fc2, out) are not positional numbers, so their order is unknown: name them in layer order, as in "
            + "net.Load(path, new WeightsOptions { Modules = [\"fc1\", \"fc2\", \"out\"] })", e.Message);
        Assert.Equal(before, net.Parameters);

        e = Assert.Throws<InvalidDataException>(() => net.Load(path, new WeightsOptions { Modules = ["fc2", "fc1", "out"] }));
        Assert.Contains("'fc2.weight' has shape [5, 8], but layer 1 (Affine(8) from 6 inputs, PyTorch's Linear(6, 8)) needs [8, 6]", e.Message);
        Assert.Equal(before, net.Parameters);

        net.Load(path, new WeightsOptions { Modules = ["fc1", "fc2", "out"] });
        var (x, expected) = Expected("mlp-named");
        AssertClose(expected, Scores(net.Forward, x, TorchMlpNet.OutputSize), 1e-5, "named modules");
    }

    [Fact]
    public void BatchNormStatisticsLoadAndTheCounterIsIgnored()
    {
        var (x, expected) = Expected("batchnorm-f32");
        var net = new TorchBatchNormNet();
        net.Load(Path.Combine(Fixtures, "batchnorm-f32.safetensors"));
        Assert.DoesNotContain(0f, net.runningMean1.ToArray());
        AssertClose(expected, Scores(net.Forward, x, TorchBatchNormNet.OutputSize), 1e-5, "BatchNorm1d");
    }

    [Fact]
    public void AFileForAnotherNetworkListsBothAndPrintsTheDeclarationThatMatches()
    {
        var path = Path.Combine(Fixtures, "batchnorm-f32.safetensors");
        var net = new TorchMlpNet(seed: 4);
        var before = (float[])net.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Equal(before, net.Parameters);
        Assert.Contains("it holds a PyTorch state_dict that does not fit this network: it has 4 modules with tensors, this network has 3 layers with weights",
            e.Message);
        Assert.Contains("This network ('[Input(6)] [Affine(8), ReLU] [Affine(5), Tanh] [Affine(3), Softmax]') expects, in layer order: "
            + "0.weight [8, 6], 0.bias [8] (Linear(6, 8)); 1.weight [5, 8], 1.bias [5] (Linear(8, 5)); 3.weight [3, 5], 3.bias [3] (Linear(5, 3))", e.Message);
        Assert.Contains("The file has: 0.bias F32 [8], 0.weight F32 [8, 6], 1.bias F32 [8], 1.num_batches_tracked I64 [], 1.running_mean F32 [8], "
            + "1.running_var F32 [8], 1.weight F32 [8], 3.bias F32 [5], 3.weight F32 [5, 8], 5.bias F32 [3], 5.weight F32 [3, 5]", e.Message);
        Assert.Contains("The declaration these shapes match is [Input(6)] [Affine(8), BatchNorm, …] [Affine(5), …] [Affine(3), …] "
            + "(weights do not record activations or the head", e.Message);
    }

    [Fact]
    public void PyTorchLayoutIsWrittenAsTorchNamesIt()
    {
        var net = new TorchBatchNormNet(seed: 2);
        var path = Path.Combine(_dir, "out.safetensors");
        net.Save(path, WeightsLayout.PyTorch);
        var bytes = File.ReadAllBytes(path);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)BitConverter.ToUInt64(bytes, 0)));
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").Order(StringComparer.Ordinal);
        Assert.Equal(
            new[] { "0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "3.bias", "3.weight", "5.bias", "5.weight" },
            names);
        Assert.Equal("[5,8]", header.RootElement.GetProperty("3.weight").GetProperty("shape").GetRawText());

        // And it loads back (as PyTorch's layout) into the same parameters.
        var back = new TorchBatchNormNet(seed: 9);
        back.Load(path);
        Assert.Equal(net.Parameters, back.Parameters);
        Assert.Equal(net.State, back.State);
    }

    [Fact]
    public void StreamsAndBytesLoadLikePaths()
    {
        var path = Path.Combine(Fixtures, "mlp-bf16.safetensors");
        var fromPath = new TorchMlpNet();
        fromPath.Load(path);
        var fromStream = new TorchMlpNet(seed: 1);
        using (var stream = File.OpenRead(path))
        {
            fromStream.Load(stream);
        }

        var fromBytes = new TorchMlpNet(seed: 2);
        fromBytes.Load(File.ReadAllBytes(path));
        Assert.Equal(fromPath.Parameters, fromStream.Parameters);
        Assert.Equal(fromPath.Parameters, fromBytes.Parameters);
    }

    [TorchFact]
    public void TorchWrittenStateDictScoresLikeTorch()
    {
        var file = Path.Combine(_dir, "torch.safetensors");
        var json = Path.Combine(_dir, "torch.json");
        Python("export", file, json);
        using var written = JsonDocument.Parse(File.ReadAllText(json));
        var x = Flat(written.RootElement.GetProperty("x"));
        var expected = Flat(written.RootElement.GetProperty("scores"));

        var net = new TorchBatchNormNet();
        net.Load(file);
        AssertClose(expected, Scores(net.Forward, x.Select(v => (float)v).ToArray(), TorchBatchNormNet.OutputSize), 1e-5, "torch's own file");
    }

    [TorchFact]
    public void NnTrainedWeightsSavedForPyTorchScoreTheSameInTorch()
    {
        var net = new TorchBatchNormNet(seed: 5);
        var trainer = new TorchBatchNormNet.Trainer(net, maxBatch: 16);
        var random = new Random(6);
        var x = Enumerable.Range(0, 16 * 6).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var labels = Enumerable.Range(0, 16).Select(i => i % 3).ToArray();
        for (var step = 0; step < 20; step++)
        {
            trainer.Loss(x, labels, 1e-3f);
            trainer.Step(0.1f);
        }

        var file = Path.Combine(_dir, "nn.safetensors");
        net.Save(file, WeightsLayout.PyTorch);
        var inputs = Path.Combine(_dir, "inputs.json");
        var outputs = Path.Combine(_dir, "outputs.json");
        File.WriteAllText(inputs, JsonSerializer.Serialize(new { x = Enumerable.Range(0, 16).Select(s => x.Skip(s * 6).Take(6).ToArray()).ToArray() }));
        Python("score", file, inputs, outputs);
        using var scored = JsonDocument.Parse(File.ReadAllText(outputs));
        AssertClose(Scores(net.Forward, x, TorchBatchNormNet.OutputSize).Select(v => (double)v).ToArray(),
            Flat(scored.RootElement.GetProperty("scores")).Select(v => (float)v).ToArray(), 1e-5, "Nn's file in torch");
    }

    private static (float[] X, double[] Scores) Expected(string fixture)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")));
        return (Flat(expected.RootElement.GetProperty("x")).Select(v => (float)v).ToArray(), Flat(expected.RootElement.GetProperty(fixture)));
    }

    // The inputs as torch used them, in double precision.
    private static double[] ExpectedInputs()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")));
        return Flat(expected.RootElement.GetProperty("x"));
    }

    private static double[] Flat(JsonElement rows) => rows.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray();

    private static float[] Scores(Action<ReadOnlySpan<float>, Span<float>> forward, float[] x, int outputs)
    {
        var samples = x.Length / 6;
        var scores = new float[samples * outputs];
        for (var s = 0; s < samples; s++)
        {
            forward(x.AsSpan(s * 6, 6), scores.AsSpan(s * outputs, outputs));
        }

        return scores;
    }

    private static double[] Scores(Action<ReadOnlySpan<double>, Span<double>> forward, double[] input, int outputs)
    {
        var samples = input.Length / 6;
        var scores = new double[samples * outputs];
        for (var s = 0; s < samples; s++)
        {
            forward(input.AsSpan(s * 6, 6), scores.AsSpan(s * outputs, outputs));
        }

        return scores;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what) =>
        AssertClose(expected, actual.Select(v => (double)v).ToArray(), tolerance, what);

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance, $"{what}: score {k} is {actual[k]}, torch's is {expected[k]} (tolerance {tolerance})");
        }
    }

    private static void Python(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"torch_weights.py {string.Join(" ", arguments)} failed: {error}");
    }

    internal static string? WhyNoTorch()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return "/usr/bin/python3 does not exist (apt-get install -y python3-torch python3-numpy)";
        }

        var start = new ProcessStartInfo("/usr/bin/python3", "-c \"import torch\"") { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : "/usr/bin/python3 has no torch (apt-get install -y python3-torch python3-numpy)";
    }
}

/// <summary>A fact that runs only when /usr/bin/python3 has torch, and is reported as skipped with the reason otherwise.</summary>
internal sealed class TorchFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> NoTorch = new(PyTorchWeightsTests.WhyNoTorch);

    public TorchFactAttribute()
    {
        if (NoTorch.Value is { } why)
        {
            Skip = why;
        }
    }
}
