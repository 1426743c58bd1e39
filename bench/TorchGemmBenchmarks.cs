using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// SGEMM C = A·B on the shapes of <see cref="GemmBenchmarks"/>: Nn against TorchSharp's <c>torch.mm</c> (libtorch 2.10,
/// MKL) in the same run, one and two threads. <c>torch.mm</c> allocates its output per call, as a TorchSharp user
/// writes it; <c>addmm_</c> with β = 0 writes into a preallocated C as Nn does. GFLOP/s = 2·m·k·n / time.
/// </summary>
[MemoryDiagnoser]
public class TorchGemmBenchmarks
{
    private float[] _a = System.Array.Empty<float>(), _b = System.Array.Empty<float>(), _c = System.Array.Empty<float>();
    private Tensor _ta = null!, _tb = null!, _tc = null!;
    private int _m, _k, _n;

    [Params("64x784x100", "256x784x100", "256x3072x100", "512x512x512", "1024x1024x1024")]
    public string Shape { get; set; } = "64x784x100";

    /// <summary>Threads for libtorch (<c>torch.set_num_threads</c>); Nn's MatMul here is single-threaded.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        TorchNative.Ensure();
        var dims = System.Array.ConvertAll(Shape.Split('x'), int.Parse);
        (_m, _k, _n) = (dims[0], dims[1], dims[2]);
        var rng = new Rng(1);
        _a = new float[_m * _k];
        _b = new float[_k * _n];
        _c = new float[_m * _n];
        for (var i = 0; i < _a.Length; i++) _a[i] = (float)rng.NextGaussian();
        for (var i = 0; i < _b.Length; i++) _b[i] = (float)rng.NextGaussian();
        torch.set_num_threads(Threads);
        _ta = torch.tensor(_a, new long[] { _m, _k });
        _tb = torch.tensor(_b, new long[] { _k, _n });
        _tc = torch.zeros(_m, _n);
        Gemm.MatMul<float>(_a, _b, _c, _m, _k, _n);
        using var check = torch.mm(_ta, _tb);
        TorchCheck.Close(check, _c, 1e-3, "torch.mm against Nn Gemm.MatMul");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ta.Dispose();
        _tb.Dispose();
        _tc.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Nn Gemm.MatMul")]
    public void MatMul() => Gemm.MatMul<float>(_a, _b, _c, _m, _k, _n);

    [Benchmark(Description = "Torch mm")]
    public void TorchMm()
    {
        using var c = torch.mm(_ta, _tb);
    }

    [Benchmark(Description = "Torch addmm_ into C")]
    public void TorchAddmm() => _tc.addmm_(_ta, _tb, beta: 0, alpha: 1);
}
