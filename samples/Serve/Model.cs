using System;
using System.IO;

namespace Serve;

/// <summary>
/// Where the serving model comes from: the one place to change when <c>[Weights("...")]</c> embeds the weights in
/// <see cref="FashionNet"/> (then <c>new FashionNet()</c> starts with them and no file is needed beside the binary).
/// </summary>
internal static class Model
{
    /// <summary>The engines <c>--engine</c> takes.</summary>
    public const string Engines = "nn or onnx";

    /// <summary>
    /// Opens <paramref name="engine"/>'s model from <paramref name="path"/>, or, when it is null, from the file the build copies
    /// beside the binary: samples/models' <c>fashion-torch.safetensors</c> (Nn reads PyTorch's layout itself) or
    /// <c>fashion-torch.onnx</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An engine other than <c>nn</c> or <c>onnx</c>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file does not hold this network.</exception>
    public static IClassifier Open(string engine, string? path) => engine switch
    {
        "nn" => new NnClassifier(path ?? Path.Combine(AppContext.BaseDirectory, "fashion-torch.safetensors")),
        "onnx" => new OnnxClassifier(path ?? Path.Combine(AppContext.BaseDirectory, "fashion-torch.onnx")),
        _ => throw new ArgumentException($"--engine {engine}: expected {Engines}."),
    };
}
