using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Classify;

namespace Nn.EndToEnd.Tests.Png;

/// <summary>
/// samples/Classify run as a program: PNGs made from Fashion-MNIST test images get the classes the IDX images get,
/// as 28×28 grey, as 56×56 RGB (shrunk back by area averaging) and as dark-on-light pictures read with --invert.
/// </summary>
public sealed class ClassifyPngTests : IDisposable
{
    private const string Data = "/usr/share/datasets/fashion-mnist";
    private const int Count = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-classify-png-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PngsGetTheClassesOfTheIdxImages()
    {
        var images = Path.Combine(Data, "t10k-images-idx3-ubyte.gz");
        Assert.True(File.Exists(images), "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist (.ci/run does).");
        var test = Idx.ReadDataset(images, Path.Combine(Data, "t10k-labels-idx1-ubyte.gz"));
        var (_, bytes) = Idx.Read(images);

        // Weights trained for one epoch on the test set: only agreement matters here, not accuracy.
        var standardizer = Standardizer.Fit(test);
        var standardized = new Dataset<float>((float[])test.X.Clone(), test.Y, test.Features);
        standardizer.Transform(standardized);
        var net = new FashionTestNet(seed: 1);
        Training.Fit(new FashionTestNet.Trainer(net, maxBatch: 64), new Adam<float>(FashionTestNet.ParameterCount), standardized, null, new TrainingOptions { Epochs = 1 });
        string weights = Path.Combine(_dir, "w.safetensors"), standardization = Path.Combine(_dir, "s.safetensors");
        net.Save(weights);
        standardizer.Save(standardization);

        string[] grey = new string[Count], rgb = new string[Count], dark = new string[Count];
        for (var n = 0; n < Count; n++)
        {
            var image = bytes.AsSpan(n * 784, 784).ToArray().Select(b => (int)b).ToArray();
            var big = Enumerable.Range(0, 56 * 56).SelectMany(i => Enumerable.Repeat(image[(i / 56 / 2) * 28 + i % 56 / 2], 3)).ToArray();
            grey[n] = Write($"grey{n}.png", PngWriter.Encode(28, 28, 0, 8, image, [(byte)(n % 5)]));
            rgb[n] = Write($"rgb{n}.png", PngWriter.Encode(56, 56, 2, 8, big, [4, 3, 2, 1, 0], interlaced: n % 2 == 1));
            dark[n] = Write($"dark{n}.png", PngWriter.Encode(28, 28, 0, 8, image.Select(v => 255 - v).ToArray(), [1]));

            // In process: the decoded pixels are exactly Idx's, and the shrunk RGB picture too.
            var (pixels, width, height) = Classify.Png.Read(grey[n]);
            Assert.Equal(test.Sample(n).ToArray(), pixels);
            var (large, w, h) = Classify.Png.Read(rgb[n]);
            Assert.Equal(test.Sample(n).ToArray(), Picture.ToInput(large, w, h, invert: false));
        }

        var expected = Classes(Run(weights, standardization, images, Path.Combine(Data, "t10k-labels-idx1-ubyte.gz"), Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Count, expected.Split(' ').Length);
        Assert.Equal(expected, Classes(Run([weights, standardization, .. grey])));
        Assert.Equal(expected, Classes(Run([weights, standardization, .. rgb])));
        var inverted = Run(["--invert", weights, standardization, .. dark]);
        Assert.Equal(expected, Classes(inverted));
        Assert.Contains($"{dark[0]}: {expected.Split(' ')[0]} ", inverted);
    }

    [Fact]
    public void ABadPngIsReportedWithItsPath()
    {
        var bad = Write("bad.png", PngWriter.File([("IHDR", new byte[13])]));
        var (code, output) = Execute([Path.Combine(_dir, "w"), Path.Combine(_dir, "s"), bad]);
        Assert.NotEqual(0, code);
        var good = Path.Combine(_dir, "w.safetensors");
        new FashionTestNet(seed: 1).Save(good);
        Standardizer.Fit(new Dataset<float>(new float[784], [0], 784)).Save(Path.Combine(_dir, "s.safetensors"));
        (code, output) = Execute([good, Path.Combine(_dir, "s.safetensors"), bad]);
        Assert.Equal(1, code);
        Assert.Contains($"PNG file '{bad}': IHDR: expected a width and height from 1 to 2147483647, found 0×0.", output);
    }

    private string Write(string name, byte[] file)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, file);
        return path;
    }

    private static string Classes(string output) =>
        output.Split('\n').Single(l => l.StartsWith("classified ", StringComparison.Ordinal)).Split(": ")[1].Trim();

    private static string Run(params string[] arguments)
    {
        var (code, output) = Execute(arguments);
        Assert.True(code == 0, $"Classify exited with {code}:\n{output}");
        return output;
    }

    /// <summary>Runs samples/Classify's build (the same configuration as these tests) with <c>dotnet exec</c>.</summary>
    private static (int Code, string Output) Execute(string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Nn.sln")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("Nn.sln not found above " + AppContext.BaseDirectory);
        }

        var dll = Path.Combine(root.FullName, "samples", "Classify", "bin", configuration, "net10.0", "Classify.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["exec", dll, .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
