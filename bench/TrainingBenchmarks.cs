using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Nn.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// One training step (forward, softmax cross-entropy, backward, SGD) at batch 64 and 256: Nn against TorchSharp
/// (libtorch 2.10, one thread) with the same weights, data, learning rate (1e-3) and L2 strength (1e-4 on the weights
/// only: Nn's <c>½λ·Σw²</c> term, whose gradient <c>λ·w</c> is what torch's SGD <c>weight_decay</c> adds, so the weights
/// go in one parameter group with <c>weight_decay = 1e-4</c> and the biases in another with 0). The set-up takes one
/// step in each and checks that the losses and the updated weights agree.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Subject.Loss _loss = null!;
    private Action<float> _step = null!;
    private float[] _x = Array.Empty<float>();
    private int[] _y = Array.Empty<int>();
    private Sequential _torch = null!;
    private SGD _sgd = null!;
    private Tensor _torchX = null!, _torchY = null!;

    public static IEnumerable<string> Architectures => Subject.Names;

    [ParamsSource(nameof(Architectures))]
    public string Architecture { get; set; } = "2-100-3";

    [Params(64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var subject = Subject.Create(Architecture);
        _savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 1;   // one thread, as TorchSharp here; NnTwoThreads lifts it for its own call
        (_loss, _step) = subject.Trainer(Batch);
        var rng = new Rng(4);
        _x = new float[Batch * subject.Inputs];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        _y = new int[Batch];
        for (var i = 0; i < _y.Length; i++) _y[i] = rng.NextInt(subject.Outputs);

        _torch = TorchMlp.Build(subject);
        torch.set_num_threads(1);
        var (weights, biases) = TorchMlp.Split(_torch);
        _sgd = torch.optim.SGD(new[]
        {
            new SGD.ParamGroup(weights, new SGD.Options { LearningRate = LearningRate, weight_decay = Regularization }),
            new SGD.ParamGroup(biases, new SGD.Options { LearningRate = LearningRate, weight_decay = 0 }),
        }, LearningRate);
        _torchX = torch.tensor(_x, new long[] { Batch, subject.Inputs });
        _torchY = torch.tensor(Array.ConvertAll(_y, v => (long)v), new long[] { Batch });

        var nnLoss = _loss(_x, _y, 0f);
        float torchLoss;
        using (var scores = _torch.forward(_torchX))
        using (var loss = nn.functional.cross_entropy(scores, _torchY))
        {
            torchLoss = loss.item<float>();
        }

        if (Math.Abs(nnLoss - torchLoss) > 1e-4 * (1 + Math.Abs(nnLoss)))
        {
            throw new InvalidOperationException($"TorchSharp cross-entropy {torchLoss} differs from Nn's data loss {nnLoss}");
        }

        Step();
        TorchStep();
        TorchMlp.CheckWeights(_torch, subject, 1e-4, "TorchSharp SGD step against Nn Step");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Gemm.MaxThreads = _savedThreads;
        _sgd.Dispose();
        _torchX.Dispose();
        _torchY.Dispose();
        _torch.Dispose();
    }

    private const float LearningRate = 1e-3f, Regularization = 1e-4f;
    private int _savedThreads;

    [Benchmark(Baseline = true, Description = "Nn Loss + Step")]
    public void Step()
    {
        _loss(_x, _y, Regularization);
        _step(LearningRate);
    }

    [Benchmark(Description = "Nn Loss + Step, 2 threads")]
    public void NnTwoThreads()
    {
        Gemm.MaxThreads = 2;
        Step();
        Gemm.MaxThreads = 1;
    }

    [Benchmark(Description = "Torch step")]
    public void TorchStep()
    {
        using var scope = torch.NewDisposeScope();
        _sgd.zero_grad();
        var loss = nn.functional.cross_entropy(_torch.forward(_torchX), _torchY);
        loss.backward();
        _sgd.step();
    }
}
