using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Nn.Benchmarks;

/// <summary>
/// The machine's limits, so every other figure can be read as a fraction of them: fused multiply-adds with
/// enough independent chains to hide FMA latency (one core and both), and memory read bandwidth.
/// Each FMA benchmark does <see cref="Iterations"/> × 12 chains × width × 2 flops.
/// </summary>
[MemoryDiagnoser]
public class MachineBenchmarks
{
    public const int Iterations = 1_000_000;
    private float[] _big = Array.Empty<float>();

    [GlobalSetup]
    public void Setup() => _big = new float[64 << 20];   // 256 MB, far beyond the caches

    [Benchmark(Description = "FMA Vector512, 1 core")]
    public float Fma512() => Vector512.IsHardwareAccelerated ? Chains512() : float.NaN;

    [Benchmark(Description = "FMA Vector256, 1 core")]
    public float Fma256() => Chains256();

    [Benchmark(Description = "FMA Vector512, 2 cores")]
    public float Fma512TwoCores()
    {
        var results = new float[2];
        Parallel.For(0, 2, i => results[i] = Chains512());
        return results[0] + results[1];
    }

    [Benchmark(Description = "read 256 MB")]
    public float Bandwidth() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(_big);

    private static float Chains512()
    {
        var a = Vector512.Create(1.0001f);
        var b = Vector512.Create(0.9999f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < Iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(a, c0, b); c1 = Vector512.FusedMultiplyAdd(a, c1, b);
            c2 = Vector512.FusedMultiplyAdd(a, c2, b); c3 = Vector512.FusedMultiplyAdd(a, c3, b);
            c4 = Vector512.FusedMultiplyAdd(a, c4, b); c5 = Vector512.FusedMultiplyAdd(a, c5, b);
            c6 = Vector512.FusedMultiplyAdd(a, c6, b); c7 = Vector512.FusedMultiplyAdd(a, c7, b);
            c8 = Vector512.FusedMultiplyAdd(a, c8, b); c9 = Vector512.FusedMultiplyAdd(a, c9, b);
            c10 = Vector512.FusedMultiplyAdd(a, c10, b); c11 = Vector512.FusedMultiplyAdd(a, c11, b);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Chains256()
    {
        var a = Vector256.Create(1.0001f);
        var b = Vector256.Create(0.9999f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < Iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(a, c0, b); c1 = Vector256.FusedMultiplyAdd(a, c1, b);
            c2 = Vector256.FusedMultiplyAdd(a, c2, b); c3 = Vector256.FusedMultiplyAdd(a, c3, b);
            c4 = Vector256.FusedMultiplyAdd(a, c4, b); c5 = Vector256.FusedMultiplyAdd(a, c5, b);
            c6 = Vector256.FusedMultiplyAdd(a, c6, b); c7 = Vector256.FusedMultiplyAdd(a, c7, b);
            c8 = Vector256.FusedMultiplyAdd(a, c8, b); c9 = Vector256.FusedMultiplyAdd(a, c9, b);
            c10 = Vector256.FusedMultiplyAdd(a, c10, b); c11 = Vector256.FusedMultiplyAdd(a, c11, b);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
