using System;
using System.IO;
using System.Numerics.Tensors;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serve;

/// <summary>
/// The ONNX Runtime twin, for the load test: <c>fashion-torch.onnx</c> (input <c>x</c> [N × 1 × 28 × 28], output
/// <c>scores</c> [N × 10]) in an <see cref="InferenceSession"/> with one intra-op thread: requests already run in parallel
/// on Kestrel's threads, as Nn's do (one thread per call), so each engine gets the same cores.
/// </summary>
/// <remarks>
/// <see cref="InferenceSession.Run(RunOptions, System.Collections.Generic.IReadOnlyCollection{string}, System.Collections.Generic.IReadOnlyCollection{OrtValue}, System.Collections.Generic.IReadOnlyCollection{string}, System.Collections.Generic.IReadOnlyCollection{OrtValue})"/>
/// is safe from many threads. A reload builds a new session and swaps it in; the old one is not disposed, because
/// requests may still be running on it, and is released by its finalizer once none refers to it.
/// </remarks>
public sealed class OnnxClassifier : IClassifier
{
    private static readonly string[] InputNames = ["x"], OutputNames = ["scores"];
    private readonly RunOptions _run = new();
    private readonly Lock _reloading = new();
    private InferenceSession _session;
    private string _source;

    /// <summary>Serves the model in <paramref name="path"/>.</summary>
    public OnnxClassifier(string path)
    {
        _session = Open(path);
        _source = path;
    }

    public string Engine => "onnx";

    public string Source => _source;

    public unsafe void Probabilities(ReadOnlySpan<float> pixels, Span<float> probabilities, int batch)
    {
        var session = Volatile.Read(ref _session);
        fixed (float* x = pixels, p = probabilities)
        {
            using var input = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [batch, 1, 28, 28], (nint)x, batch * 784 * sizeof(float));
            using var output = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [batch, 10], (nint)p, batch * 10 * sizeof(float));
            session.Run(_run, InputNames, new[] { input }, OutputNames, new[] { output });
        }

        // The graph ends at the logits (no Softmax node): the softmax of each row, in place.
        for (var i = 0; i < batch; i++)
        {
            var row = probabilities.Slice(i * 10, 10);
            TensorPrimitives.SoftMax(row, row);
        }
    }

    public void Reload(string path)
    {
        lock (_reloading)
        {
            var session = Open(path);
            Volatile.Write(ref _session, session);
            _source = path;
        }
    }

    public void Dispose() => _run.Dispose();

    private static InferenceSession Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        }

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"ONNX model '{path}': {e.Message}", e);
        }
    }
}
