using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Nn.Benchmarks;

/// <summary>One training step (forward, softmax cross-entropy, backward, SGD) at batch 64 and 256.</summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Subject.Loss _loss = null!;
    private Action<float> _step = null!;
    private float[] _x = Array.Empty<float>();
    private int[] _y = Array.Empty<int>();

    public static IEnumerable<string> Architectures => Subject.Names;

    [ParamsSource(nameof(Architectures))]
    public string Architecture { get; set; } = "2-100-3";

    [Params(64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var subject = Subject.Create(Architecture);
        (_loss, _step) = subject.Trainer(Batch);
        var rng = new Rng(4);
        _x = new float[Batch * subject.Inputs];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        _y = new int[Batch];
        for (var i = 0; i < _y.Length; i++) _y[i] = rng.NextInt(subject.Outputs);
    }

    [Benchmark(Description = "Nn Loss + Step")]
    public void Step()
    {
        _loss(_x, _y, 1e-4f);
        _step(1e-3f);
    }
}
