using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Nn.Kernels;

namespace Nn.Benchmarks;

/// <summary>
/// What validation and test sets cost: the trainer's forward-only <c>Evaluate</c> against the full <c>Loss</c> pass
/// (forward, loss, backward) that <c>Training.Evaluate</c> used to run, same batch, one thread. Batch 64 is what
/// <c>Training.Fit</c> validates with (its batch size), 500 what the Fashion-MNIST sample's test evaluation uses (MaxBatch).
/// </summary>
[MemoryDiagnoser]
public class EvaluateBenchmarks
{
    private IClassifierTrainer<float> _trainer = null!;
    private float[] _x = Array.Empty<float>();
    private int[] _y = Array.Empty<int>();
    private int _savedThreads;

    public static IEnumerable<string> Architectures => new[] { "784-100-10", "784-512-512-10" };

    [ParamsSource(nameof(Architectures))]
    public string Architecture { get; set; } = "784-100-10";

    [Params(64, 500)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 1;
        _trainer = Architecture switch
        {
            "784-100-10" => new Net784x100x10.Trainer(new Net784x100x10(1), Batch),
            "784-512-512-10" => new Net784x512x512x10.Trainer(new Net784x512x512x10(1), Batch),
            _ => throw new ArgumentException("unknown architecture " + Architecture),
        };
        var rng = new Rng(4);
        _x = new float[Batch * _trainer.InputSize];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        _y = new int[Batch];
        for (var i = 0; i < _y.Length; i++) _y[i] = rng.NextInt(_trainer.OutputSize);
        if (Loss() != Evaluate())
        {
            throw new InvalidOperationException("Evaluate's loss differs from Loss's data loss");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.MaxThreads = _savedThreads;

    [Benchmark(Baseline = true, Description = "Loss (forward + backward)")]
    public float Loss() => _trainer.Loss(_x, _y, 0f);

    [Benchmark(Description = "Evaluate (forward only)")]
    public float Evaluate() => _trainer.Evaluate(_x, _y);
}
