// Classifies Fashion-MNIST images with the weights samples/FashionMnist saved: an IDX file of images, or PNG pictures.
// Prints the first predictions, the accuracy when labels are given, and the time to load and classify; run without
// arguments for the usage.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Classify;
using Nn;

var clock = Stopwatch.StartNew();
var invert = args.Contains("--invert");
var embedded = args.Contains("--embedded");
args = args.Where(a => a is not "--invert" and not "--embedded").ToArray();
if (embedded)
{
    // The PyTorch-trained model of samples/models, embedded in this binary by [Weights]: no weights file, no standardizer
    // (PyTorch scaled pixels to [0, 1] and nothing else). The same arguments as below from the images on.
    args = [string.Empty, string.Empty, .. args];
}

var pngs = args.Length > 2 && args[2].EndsWith(".png", StringComparison.OrdinalIgnoreCase);
if (args.Length < 3 || (pngs && args.Skip(2).Any(a => !a.EndsWith(".png", StringComparison.OrdinalIgnoreCase))))
{
    Console.Error.WriteLine("""
        usage: Classify [--invert] <weights.safetensors> <standardizer.safetensors> <images.idx[.gz]> [labels.idx[.gz]] [count]
               Classify [--invert] <weights.safetensors> <standardizer.safetensors> <picture.png> [picture.png ...]
               Classify [--invert] --embedded <images.idx[.gz]> [labels.idx[.gz]] [count]
               Classify [--invert] --embedded <picture.png> [picture.png ...]

        --embedded: the PyTorch-trained MLP of samples/models (fashion-torch.safetensors), embedded in this program at
             compile time by [Weights]; the first two forms read weights and a standardizer saved by samples/FashionMnist.

        IDX: MNIST-format images of 28×28 bytes, as Fashion-MNIST ships them (plain or gzip).
        PNG: any colour type and bit depth, interlaced or not, read as luminance (0.299 R + 0.587 G + 0.114 B);
             transparent pixels count as background. A picture that is not 28×28 is centred on a black square as wide
             as its longer side and resampled to 28×28 by area averaging (each pixel the mean of the area it covers).
        --invert: Fashion-MNIST garments are light on black; use this for dark garments on a light background
             (every value v becomes 1 − v, and transparent pixels count as white before that, so black after).
        """);
    return 2;
}

try
{
    IClassifier net = embedded ? new Embedded(new TorchFashionNet()) : new Loaded(new FashionNet(), args[0]);
    var standardizer = embedded ? null : Standardizer.Load(args[1], FashionNet.InputSize);
    var (pixels, count, features) = pngs ? ReadPictures(args[2..], invert) : Idx.ReadImages(args[2]);
    if (features != FashionNet.InputSize)
    {
        Console.Error.WriteLine($"{args[2]} holds images of {features} pixels; this network takes {FashionNet.InputSize} (28×28).");
        return 3;
    }

    if (invert && !pngs)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = 1 - pixels[i];
        }
    }

    var labels = !pngs && args.Length > 3 ? Idx.ReadLabels(args[3]) : null;
    if (labels is not null && labels.Length != count)
    {
        Console.Error.WriteLine($"{args[2]} holds {count} images but {args[3]} holds {labels.Length} labels.");
        return 3;
    }

    var n = !pngs && args.Length > 4 ? Math.Min(count, int.Parse(args[4], CultureInfo.InvariantCulture)) : count;
    var x = pixels.AsSpan(0, n * features);
    standardizer?.Transform(x);
    var first = clock.Elapsed;
    var one = net.Predict(x[..features]);   // one inference, timed on its own
    var firstInference = clock.Elapsed - first;

    var predicted = new int[n];
    net.Predict(x, predicted);
    Console.WriteLine($"classified {n} images: " + string.Join(" ", predicted.Take(20)) + (n > 20 ? " …" : string.Empty));
    Console.WriteLine("checksum: " + predicted.Select((p, i) => (long)(p + 1) * (i + 1)).Sum());
    if (labels is not null)
    {
        var correct = predicted.Where((p, i) => p == labels[i]).Count();
        Console.WriteLine($"accuracy: {correct}/{n} = {(double)correct / n:P2}");
    }

    var probabilities = new float[FashionNet.OutputSize];
    for (var i = 0; pngs && i < n; i++)
    {
        net.Probabilities(x.Slice(i * features, features), probabilities);
        Console.WriteLine($"{args[2 + i]}: {predicted[i]} {FashionNet.Classes[predicted[i]]} ({probabilities[predicted[i]]:P1})");
    }

    Console.WriteLine($"first image: class {one}; start-up to first prediction {(first + firstInference).TotalMilliseconds:F1} ms (inference {firstInference.TotalMicroseconds:F0} µs), all {clock.Elapsed.TotalMilliseconds:F1} ms");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
catch (OutOfMemoryException)
{
    // The decoder's limits keep a picture under about 100 MB; a tighter memory cap than that is reported, not a crash.
    Console.Error.WriteLine($"not enough memory to read and classify these files (the largest picture taken is {Png.MaxPixels} pixels).");
    return 1;
}

// Each PNG decoded (transparency over black, or over white when inverting) and made a 28×28 input, back to back.
static (float[] Pixels, int Count, int Features) ReadPictures(IReadOnlyList<string> paths, bool invert)
{
    var pixels = new float[paths.Count * Picture.Side * Picture.Side];
    for (var i = 0; i < paths.Count; i++)
    {
        var (luminance, width, height) = Png.Read(paths[i], whiteBackground: invert);
        Picture.ToInput(luminance, width, height, invert).CopyTo(pixels, i * Picture.Side * Picture.Side);
    }

    return (pixels, paths.Count, Picture.Side * Picture.Side);
}

/// <summary>The network samples/FashionMnist trains; its declaration must match the saved weights' architecture.</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet
{
    /// <summary>Fashion-MNIST's ten classes, by label.</summary>
    public static readonly string[] Classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}

/// <summary>
/// The MLP samples/PyTorch/train_fashion.py trained in PyTorch, with its weights embedded in this program: the file is this
/// project's NnWeights item (Classify.csproj), checked against the declaration when the program is compiled.
/// </summary>
[Weights("../models/fashion-torch.safetensors")]
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class TorchFashionNet;

/// <summary>What the program asks of either network (the two are distinct generated classes with the same members).</summary>
internal interface IClassifier
{
    int Predict(ReadOnlySpan<float> x);

    void Predict(ReadOnlySpan<float> x, Span<int> labels);

    void Probabilities(ReadOnlySpan<float> x, Span<float> probabilities);
}

internal sealed class Loaded : IClassifier
{
    private readonly FashionNet _net;

    public Loaded(FashionNet net, string path)
    {
        _net = net;
        _net.Load(path);
    }

    public int Predict(ReadOnlySpan<float> x) => _net.Predict(x);

    public void Predict(ReadOnlySpan<float> x, Span<int> labels) => _net.Predict(x, labels);

    public void Probabilities(ReadOnlySpan<float> x, Span<float> probabilities) => _net.Probabilities(x, probabilities);
}

internal sealed class Embedded(TorchFashionNet net) : IClassifier
{
    public int Predict(ReadOnlySpan<float> x) => net.Predict(x);

    public void Predict(ReadOnlySpan<float> x, Span<int> labels) => net.Predict(x, labels);

    public void Probabilities(ReadOnlySpan<float> x, Span<float> probabilities) => net.Probabilities(x, probabilities);
}
