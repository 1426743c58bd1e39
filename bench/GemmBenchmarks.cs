using BenchmarkDotNet.Attributes;

namespace Nn.Benchmarks;

/// <summary>Nn's SGEMM (C = A·B, one thread) on the shapes the issue names; GFLOP/s = 2·m·k·n / time.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = System.Array.Empty<float>(), _b = System.Array.Empty<float>(), _c = System.Array.Empty<float>();

    [Params("64x784x100", "256x784x100", "256x3072x100", "512x512x512", "1024x1024x1024")]
    public string Shape { get; set; } = "64x784x100";

    private int _m, _k, _n;

    [GlobalSetup]
    public void Setup()
    {
        var dims = System.Array.ConvertAll(Shape.Split('x'), int.Parse);
        (_m, _k, _n) = (dims[0], dims[1], dims[2]);
        var rng = new Rng(1);
        _a = new float[_m * _k];
        _b = new float[_k * _n];
        _c = new float[_m * _n];
        for (var i = 0; i < _a.Length; i++) _a[i] = (float)rng.NextGaussian();
        for (var i = 0; i < _b.Length; i++) _b[i] = (float)rng.NextGaussian();
    }

    [Benchmark(Description = "Nn Gemm.MatMul")]
    public void MatMul() => Gemm.MatMul<float>(_a, _b, _c, _m, _k, _n);
}
