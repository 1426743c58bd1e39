using System;
using System.Runtime.Intrinsics;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Nn.Benchmarks;

/// <summary>
/// The machine's limits, so every other figure can be read as a fraction of them: fused multiply-adds with enough
/// independent chains to hide FMA latency (one core and both), and memory read bandwidth. Each FMA benchmark does
/// <see cref="Iterations"/> × 12 chains × lanes × 2 flops per core; the GFLOP/s column divides by the time.
/// </summary>
/// <remarks>
/// What the JIT emits for <see cref="Chains512"/> (DOTNET_JitDisasm): 12 × <c>vfmadd213ps zmm, zmm, zmm</c> and
/// <c>dec/jne</c> per iteration, all in registers, the same code as <c>Avx512F.FusedMultiplyAdd</c>. In a Stopwatch loop
/// it reached 218 GFLOP/s, like the C loop of <c>_mm512_fmadd_ps</c> (gcc -O2) measured at the same moment (212–221);
/// Vector256 109. The earlier 117 GFLOP/s for both widths came from a slower state of the machine, not from the code.
/// The chains converge (c ← 0.9999·c + 0.0001) instead of overflowing to infinity. Both cores: the second core runs
/// the same loop on a thread started in the setup and woken through an event, so the measured call allocates nothing.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(GflopsConfig))]
public class MachineBenchmarks
{
    public const int Iterations = 1_000_000;
    private float[] _big = Array.Empty<float>();
    private Thread? _second;
    private ManualResetEventSlim? _start, _finished;
    private volatile bool _stop;
    private float _secondResult;

    [GlobalSetup(Target = nameof(Bandwidth))]
    public void SetupBandwidth() => _big = new float[64 << 20];   // 256 MB, far beyond the caches

    [GlobalSetup(Target = nameof(Fma512TwoCores))]
    public void SetupSecondCore()
    {
        (_start, _finished, _stop) = (new ManualResetEventSlim(false), new ManualResetEventSlim(false), false);
        _second = new Thread(() =>
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                if (_stop)
                {
                    return;
                }

                _secondResult = Chains512();
                _finished.Set();
            }
        }) { IsBackground = true, Name = "second core" };
        _second.Start();
    }

    [GlobalCleanup(Target = nameof(Fma512TwoCores))]
    public void StopSecondCore()
    {
        _stop = true;
        _start?.Set();
        _second?.Join();
    }

    [Benchmark(Description = "FMA Vector512, 1 core")]
    public float Fma512() => Vector512.IsHardwareAccelerated ? Chains512() : float.NaN;

    [Benchmark(Description = "FMA Vector256, 1 core")]
    public float Fma256() => Chains256();

    [Benchmark(Description = "FMA Vector512, 2 cores")]
    public float Fma512TwoCores()
    {
        _finished!.Reset();
        _start!.Set();
        var mine = Chains512();
        _finished.Wait();
        return mine + _secondResult;
    }

    [Benchmark(Description = "read 256 MB")]
    public float Bandwidth() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(_big);

    private static float Chains512()
    {
        var a = Vector512.Create(0.9999f);
        var b = Vector512.Create(0.0001f);
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
        var a = Vector256.Create(0.9999f);
        var b = Vector256.Create(0.0001f);
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
