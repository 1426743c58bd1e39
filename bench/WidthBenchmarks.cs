using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML.OnnxRuntime;
using Nn.Kernels;

namespace Nn.Benchmarks;

/// <summary>
/// Batch 1 (the Gemv kernels) against ONNX Runtime's IOBinding path (one thread) on the three networks, in a
/// process whose vector width the environment sets: run it as is, with <c>DOTNET_EnableAVX512=0</c> (AVX2) or with
/// <c>DOTNET_EnableAVX2=0</c> (128-bit SSE). The switch changes Nn's width only: ONNX Runtime chooses its kernels from
/// CPUID itself. BenchmarkDotNet's header line <c>HardwareIntrinsics=…</c> shows which widths were active; the set-up
/// prints Nn's Gemv width, and refuses to run if it is 0 (no vectors: Gemv would fall back to GEMM). The Ratio column
/// is ORT's time over Nn's.
/// <c>dotnet run -c Release --project bench -- --filter '*BatchOneWidth*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class BatchOneWidthBenchmarks
{
    private Subject _subject = null!;
    private float[] _x = Array.Empty<float>();
    private float[] _scores = Array.Empty<float>();
    private InferenceSession _session = null!;
    private OrtIoBinding _binding = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!, _output = null!;

    public static IEnumerable<string> Architectures => new[] { "2-100-3", "784-100-10", "784-512-512-10" };

    [ParamsSource(nameof(Architectures))]
    public string Architecture { get; set; } = "2-100-3";

    [GlobalSetup]
    public void Setup()
    {
        var width = GemmWidthBenchmarks.GemvWidth();
        Console.WriteLine($"// Nn Gemv width: {width} bits");
        if (width == 0)
        {
            throw new InvalidOperationException("no vector width is accelerated: Gemv would run on Gemm.MatMul");
        }

        _subject = Subject.Create(Architecture);
        var rng = new Rng(3);
        _x = new float[_subject.Inputs];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        _scores = new float[_subject.Outputs];
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(_subject.Onnx, options);
        _runOptions = new RunOptions();
        _input = OrtValue.CreateTensorValueFromMemory(_x, new long[] { 1, _subject.Inputs });
        _output = OrtValue.CreateTensorValueFromMemory(_scores, new long[] { 1, _subject.Outputs });
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _input);
        _binding.BindOutput("scores", _output);

        // both compute the same scores
        OrtBinding();
        var ort = (float[])_scores.Clone();
        Nn();
        for (var j = 0; j < ort.Length; j++)
        {
            if (Math.Abs(ort[j] - _scores[j]) > 1e-3f * (1 + Math.Abs(ort[j])))
            {
                throw new InvalidOperationException($"{Architecture}: Nn score {j} is {_scores[j]}, ONNX Runtime's {ort[j]}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Nn Forward, batch 1")]
    public void Nn() => _subject.One(_x, _scores);

    [Benchmark(Description = "ORT IOBinding, batch 1")]
    public void OrtBinding() => _session.RunWithBinding(_runOptions, _binding);
}

/// <summary>
/// Nn's GEMM at batch 256 (one thread) as a fraction of the multiply-add peak of the width it runs on, measured in the
/// same run by <see cref="Peak"/>: 12 independent chains of Vector256 FMAs with AVX2, of Vector128 multiply-adds
/// without (fused where an FMA instruction exists, multiply then add on SSE, as the 128-bit micro-kernel does).
/// The "of peak" column divides each GEMM's GFLOP/s by the mean of the Peak rows. The peak is a fair one for the FMA
/// units: DOTNET_JitDisasm shows 12 register-only <c>vfmadd213ps ymm</c> and a <c>dec</c>/<c>jne</c> per iteration, and
/// Zen 3's two FMA pipes with a latency of 4 cycles need only 8 independent chains; it measured 94–99 GFLOP/s on this
/// machine's AVX2 (2 × 16 flops per cycle at about 3 GHz). Its result must be used (WidthRounds adds it to a sink): a
/// call whose result is dropped lets the JIT delete the FMAs and leave an empty loop.
/// <c>dotnet run -c Release --project bench -- --filter '*GemmWidth*' --job short --inProcess</c>.
/// </summary>
[Config(typeof(Config))]
[MinColumn]
[MedianColumn]
public class GemmWidthBenchmarks
{
    private const int Iterations = 1_000_000;
    private float[] _a = Array.Empty<float>(), _b = Array.Empty<float>(), _c = Array.Empty<float>();
    private int _m, _k, _n;
    private int _savedThreads;

    [Params("256x784x100", "256x3072x100", "256x784x512", "256x512x512")]
    public string Shape { get; set; } = "256x784x100";

    [GlobalSetup]
    public void Setup()
    {
        var dims = Array.ConvertAll(Shape.Split('x'), int.Parse);
        (_m, _k, _n) = (dims[0], dims[1], dims[2]);
        var rng = new Rng(1);
        _a = new float[_m * _k];
        _b = new float[_k * _n];
        _c = new float[_m * _n];
        for (var i = 0; i < _a.Length; i++) _a[i] = (float)rng.NextGaussian();
        for (var i = 0; i < _b.Length; i++) _b[i] = (float)rng.NextGaussian();
        _savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 1;
        Console.WriteLine($"// peak width: {PeakBits} bits, Nn Gemv width: {GemvWidth()} bits");
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.MaxThreads = _savedThreads;

    [Benchmark(Baseline = true, Description = "Nn Gemm, 1 thread")]
    public void MatMul() => Gemm.MatMul<float>(_a, _b, _c, _m, _k, _n);

    [Benchmark(Description = "multiply-add peak, 1 core")]
    public float Peak() => Chains(Iterations);

    /// <summary>12 chains × iterations multiply-adds on the widest accelerated vectors (256 or 128 bits).</summary>
    internal static float Chains(int iterations) => PeakBits == 256 ? Chains256(iterations) : Chains128(iterations);

    internal static int PeakBits => Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>Gemv's width, read through the runtime's internal diagnostic (bench has no InternalsVisibleTo: reflection).</summary>
    internal static int GemvWidth() =>
        (int)typeof(Gemv).GetMethod("Width", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(typeof(float)).Invoke(null, null)!;

    private static float Chains256(int iterations)
    {
        var a = Vector256.Create(0.9999f);
        var b = Vector256.Create(0.0001f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < iterations; i++)
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

    private static float Chains128(int iterations)
    {
        var a = Vector128.Create(0.9999f);
        var b = Vector128.Create(0.0001f);
        Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector128<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < iterations; i++)
        {
            c0 = Mad(a, c0, b); c1 = Mad(a, c1, b); c2 = Mad(a, c2, b); c3 = Mad(a, c3, b);
            c4 = Mad(a, c4, b); c5 = Mad(a, c5, b); c6 = Mad(a, c6, b); c7 = Mad(a, c7, b);
            c8 = Mad(a, c8, b); c9 = Mad(a, c9, b); c10 = Mad(a, c10, b); c11 = Mad(a, c11, b);
        }

        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static Vector128<float> Mad(Vector128<float> a, Vector128<float> c, Vector128<float> b) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported
            ? Vector128.FusedMultiplyAdd(a, c, b)
            : (a * c) + b;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new OfPeakColumn());
    }

    /// <summary>GFLOP/s of each row, and for GEMM rows that rate over the mean rate of the Peak rows.</summary>
    private sealed class OfPeakColumn : IColumn
    {
        public string Id => "WidthOfPeak";

        public string ColumnName => "GFLOP/s (of peak)";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => false;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "GFLOP/s; for Nn Gemm also the fraction of the mean multiply-add peak of this run";

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var rate = Rate(summary, benchmarkCase);
            if (rate is null)
            {
                return "-";
            }

            if (benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(Peak))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{rate:F1}");
            }

            var peaks = summary.BenchmarksCases.Where(c => c.Descriptor.WorkloadMethod.Name == nameof(Peak))
                .Select(c => Rate(summary, c)).Where(r => r is not null).Select(r => r!.Value).ToArray();
            return peaks.Length == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{rate:F1}")
                : string.Create(CultureInfo.InvariantCulture, $"{rate:F1} ({rate / peaks.Average():P0})");
        }

        private static double? Rate(Summary summary, BenchmarkCase benchmarkCase)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;   // ns
            if (mean is null)
            {
                return null;
            }

            if (benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(Peak))
            {
                return (double)Iterations * 12 * 2 * (PeakBits / 32) / mean.Value;
            }

            var shape = (string)benchmarkCase.Parameters.Items.First(p => p.Name == nameof(Shape)).Value;
            var dims = shape.Split('x').Select(d => double.Parse(d, CultureInfo.InvariantCulture)).ToArray();
            return 2 * dims[0] * dims[1] * dims[2] / mean.Value;
        }
    }
}
