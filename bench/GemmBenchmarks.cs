using System.Linq;
using BenchmarkDotNet.Attributes;
using Nn.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// Nn's SGEMM on the shapes, the batch-256 forward layers, and two training-shaped transposes (Aᵀ·B for dW,
/// A·Bᵀ for dx), one and two threads (<see cref="Gemm.MaxThreads"/>), against TorchSharp (libtorch 2.10, MKL) on the
/// same data in the same run: <c>torch.mm</c> as a TorchSharp user writes it (a new output tensor per call) and
/// <c>addmm_</c> with β = 0 into a preallocated C, as Nn writes. Transposed forms pass <c>.t()</c> views, so libtorch
/// picks its own transposed kernel. The Rate column is 2·m·k·n / time; "of peak" divides it by MachineBenchmarks'
/// FMA peak in the same run (use --join):
/// <c>dotnet run -c Release --project bench -- --filter '*Gemm*' '*Machine*' --join --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    private float[] _a = System.Array.Empty<float>(), _b = System.Array.Empty<float>(), _c = System.Array.Empty<float>();
    private int _m, _k, _n;
    private int _savedThreads;
    private Tensor _ta = null!, _tb = null!, _tc = null!, _left = null!, _right = null!;

    /// <summary>m×k×n of C = A·B; "Aᵀ·B" and "A·Bᵀ" prefixes select the transposed forms (same m, k, n meaning as the API).</summary>
    [Params(
        "64x784x100", "256x784x100", "256x3072x100", "512x512x512", "1024x1024x1024",
        "256x784x512", "256x512x512", "256x100x10", "256x2x100",
        "Aᵀ·B 784x256x100", "A·Bᵀ 256x100x784")]
    public string Shape { get; set; } = "64x784x100";

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var dims = System.Array.ConvertAll(Shape.Split(' ')[^1].Split('x'), int.Parse);
        (_m, _k, _n) = (dims[0], dims[1], dims[2]);
        var rng = new Rng(1);
        _a = new float[_m * _k];
        _b = new float[_k * _n];
        _c = new float[_m * _n];
        for (var i = 0; i < _a.Length; i++) _a[i] = (float)rng.NextGaussian();
        for (var i = 0; i < _b.Length; i++) _b[i] = (float)rng.NextGaussian();
        _savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = Threads;

        TorchNative.Ensure();
        torch.set_num_threads(Threads);
        var transposeA = Shape.StartsWith("Aᵀ", System.StringComparison.Ordinal);
        var transposeB = Shape.StartsWith("A·Bᵀ", System.StringComparison.Ordinal);
        _ta = torch.tensor(_a, transposeA ? new long[] { _k, _m } : new long[] { _m, _k });
        _tb = torch.tensor(_b, transposeB ? new long[] { _n, _k } : new long[] { _k, _n });
        _left = transposeA ? _ta.t() : _ta;
        _right = transposeB ? _tb.t() : _tb;
        _tc = torch.zeros(_m, _n);
        MatMul();
        using var check = torch.mm(_left, _right);
        TorchCheck.Close(check, _c, 1e-3, "torch.mm against Nn's " + Shape);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Gemm.MaxThreads = _savedThreads;
        foreach (var tensor in new[] { _tc, _left, _right, _ta, _tb }.Distinct())
        {
            tensor.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "Nn Gemm")]
    public void MatMul()
    {
        if (Shape.StartsWith("Aᵀ", System.StringComparison.Ordinal))
        {
            Gemm.MatMulTransposeA<float>(_a, _b, _c, _m, _k, _n);
        }
        else if (Shape.StartsWith("A·Bᵀ", System.StringComparison.Ordinal))
        {
            Gemm.MatMulTransposeB<float>(_a, _b, _c, _m, _k, _n);
        }
        else
        {
            Gemm.MatMul<float>(_a, _b, _c, _m, _k, _n);
        }
    }

    [Benchmark(Description = "Torch mm")]
    public void TorchMm()
    {
        using var c = torch.mm(_left, _right);
    }

    [Benchmark(Description = "Torch addmm_ into C")]
    public void TorchAddmm() => _tc.addmm_(_left, _right, beta: 0, alpha: 1);
}
