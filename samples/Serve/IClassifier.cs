using System;

namespace Serve;

/// <summary>
/// One engine behind the service's endpoints: class probabilities for 28×28 pictures (784 values in [0, 1], x / 255), and a
/// weights reload that either replaces the whole model or leaves the serving one untouched.
/// </summary>
public interface IClassifier : IDisposable
{
    /// <summary>The engine's name in <c>/health</c>: <c>nn</c> or <c>onnx</c>.</summary>
    string Engine { get; }

    /// <summary>The file the serving model was loaded from.</summary>
    string Source { get; }

    /// <summary>
    /// Fills <paramref name="probabilities"/> (<c>batch·10</c>) with the softmax of the scores of <paramref name="pixels"/>
    /// (<c>batch·784</c>), all from one model even while another thread reloads. Safe from many threads at once.
    /// </summary>
    void Probabilities(ReadOnlySpan<float> pixels, Span<float> probabilities, int batch);

    /// <summary>Loads <paramref name="path"/> into a new model and serves it once it has loaded; a file that fails to load
    /// throws (<see cref="System.IO.InvalidDataException"/>, <see cref="System.IO.FileNotFoundException"/>, …) and the old
    /// model keeps serving.</summary>
    void Reload(string path);
}
