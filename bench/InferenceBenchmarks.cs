using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Nn.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// Forward pass of the same weights in Nn and in ONNX Runtime (one intra-op thread): batch 1 (latency) and batch 256
/// (throughput). ONNX Runtime is measured through its IOBinding path with preallocated input and output, and through Run.
/// TorchSharp (libtorch 2.10, one thread) runs the same weights in an <c>nn.Sequential</c> under <c>no_grad</c>; its
/// output is checked against Nn's within 1e-4 in the set-up.
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private Subject _subject = null!;
    private float[] _x = Array.Empty<float>();
    private float[] _scores = Array.Empty<float>();
    private InferenceSession _session = null!;
    private int _savedThreads;
    private OrtIoBinding _binding = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!, _output = null!;
    private string[] _inputNames = { "x" }, _outputNames = { "scores" };
    private TorchSharp.Modules.Sequential _torch = null!;
    private Tensor _torchX = null!;

    public static IEnumerable<string> Architectures => Subject.Names;

    [ParamsSource(nameof(Architectures))]
    public string Architecture { get; set; } = "2-100-3";

    [Params(1, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _subject = Subject.Create(Architecture);
        _savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 1;   // one thread, as every peer here; NnTwoThreads lifts it for its own call
        var rng = new Rng(3);
        _x = new float[Batch * _subject.Inputs];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        _scores = new float[Batch * _subject.Outputs];
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(_subject.Onnx, options);
        _runOptions = new RunOptions();
        _input = OrtValue.CreateTensorValueFromMemory(_x, new long[] { Batch, _subject.Inputs });
        _output = OrtValue.CreateTensorValueFromMemory(_scores, new long[] { Batch, _subject.Outputs });
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _input);
        _binding.BindOutput("scores", _output);

        _torch = TorchMlp.Build(_subject);
        torch.set_num_threads(1);
        _torchX = torch.tensor(_x, new long[] { Batch, _subject.Inputs });
        Nn();
        using (torch.no_grad())
        using (var scores = _torch.forward(_torchX))
        {
            TorchCheck.Close(scores, _scores, 1e-4, "TorchSharp forward against Nn Forward");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Gemm.MaxThreads = _savedThreads;
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _torchX.Dispose();
        _torch.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Nn Forward")]
    public void Nn()
    {
        if (Batch == 1)
        {
            _subject.One(_x, _scores);
        }
        else
        {
            _subject.Batch(_x, _scores, Batch);
        }
    }

    // Batch 256 on both cores (Gemm.MaxThreads = 2); batch 1 stays on one thread whatever the setting (Gemv).
    [Benchmark(Description = "Nn Forward, 2 threads")]
    public void NnTwoThreads()
    {
        Gemm.MaxThreads = 2;
        Nn();
        Gemm.MaxThreads = 1;
    }

    [Benchmark(Description = "ORT IOBinding")]
    public void OrtBinding() => _session.RunWithBinding(_runOptions, _binding);

    [Benchmark(Description = "ORT Run")]
    public void OrtRun()
    {
        using var results = _session.Run(_runOptions, _inputNames, new[] { _input }, _outputNames);
    }

    [Benchmark(Description = "Torch no_grad")]
    public void Torch()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _torch.forward(_torchX);
    }
}
