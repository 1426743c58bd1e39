// Classifies Fashion-MNIST images with the weights samples/FashionMnist saved.
//   Classify <weights.safetensors> <standardizer.safetensors> <images.idx[.gz]> [labels.idx[.gz]] [count]
// Prints the first predictions, the accuracy when labels are given, and the time to load and classify.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Nn;

var clock = Stopwatch.StartNew();
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Classify <weights.safetensors> <standardizer.safetensors> <images.idx[.gz]> [labels.idx[.gz]] [count]");
    return 2;
}

try
{
    var net = new FashionNet();
    net.Load(args[0]);
    var standardizer = Standardizer.Load(args[1], FashionNet.InputSize);
    var (pixels, count, features) = Idx.ReadImages(args[2]);
    if (features != FashionNet.InputSize)
    {
        Console.Error.WriteLine($"{args[2]} holds images of {features} pixels; this network takes {FashionNet.InputSize} (28×28).");
        return 3;
    }

    var labels = args.Length > 3 ? Idx.ReadLabels(args[3]) : null;
    if (labels is not null && labels.Length != count)
    {
        Console.Error.WriteLine($"{args[2]} holds {count} images but {args[3]} holds {labels.Length} labels.");
        return 3;
    }

    var n = args.Length > 4 ? Math.Min(count, int.Parse(args[4], CultureInfo.InvariantCulture)) : count;
    var x = pixels.AsSpan(0, n * features);
    standardizer.Transform(x);
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

    Console.WriteLine($"first image: class {one}; start-up to first prediction {(first + firstInference).TotalMilliseconds:F1} ms (inference {firstInference.TotalMicroseconds:F0} µs), all {clock.Elapsed.TotalMilliseconds:F1} ms");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

/// <summary>The network samples/FashionMnist trains; its declaration must match the saved weights' architecture.</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet;
