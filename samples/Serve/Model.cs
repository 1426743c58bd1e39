using System;
using System.IO;

namespace Serve;

/// <summary>
/// Where the serving model comes from: Nn's engine starts with the weights <c>[Weights]</c> embedded in <see cref="FashionNet"/>
/// (no file beside the binary) unless <c>--weights</c> names a file; ONNX Runtime's reads <c>fashion-torch.onnx</c>.
/// </summary>
internal static class Model
{
    /// <summary>The engines <c>--engine</c> takes.</summary>
    public const string Engines = "nn or onnx";

    /// <summary>
    /// Opens <paramref name="engine"/>'s model from <paramref name="path"/>, or, when it is null, Nn's embedded weights
    /// (samples/models' <c>fashion-torch.safetensors</c>) or the <c>fashion-torch.onnx</c> the build copies beside the binary.
    /// </summary>
    /// <exception cref="ArgumentException">An engine other than <c>nn</c> or <c>onnx</c>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file does not hold this network.</exception>
    public static IClassifier Open(string engine, string? path) => engine switch
    {
        "nn" => path is null ? new NnClassifier() : new NnClassifier(path),
        "onnx" => new OnnxClassifier(path ?? Path.Combine(AppContext.BaseDirectory, "fashion-torch.onnx")),
        _ => throw new ArgumentException($"--engine {engine}: expected {Engines}."),
    };
}
