using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.Intrinsics;
using Microsoft.ML.OnnxRuntime;
using Nn.Kernels;

namespace Nn.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench -- widths [rounds] [gemm]</c> (<c>gemm</c>: the GEMM table only, optionally of the shapes that follow, e.g. <c>widths 200 gemm 256x784x512</c>): the width benchmarks of WidthBenchmarks.cs as
/// alternating rounds in one process, for a machine shared with other jobs. BenchmarkDotNet measures one subject after
/// the other, so when the load changes between them (a compiler starting on the other core) their ratio moves with it.
/// Here every round times a block of Nn calls and then the same work by its peer (ORT IOBinding, or the multiply-add
/// peak for GEMM), a block lasting about 0.1 ms so that most blocks run without being preempted. Printed per subject: the
/// fastest block and the median block, per call, and the ratios of the fastest and of the per-round ratios' median.
/// The width is the environment's (DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0), printed first.
/// </summary>
public static class WidthRounds
{
    private const int PeakIterations = 5_000;

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400;
        var gemmOnly = args.Length > 1 && args[1] == "gemm";
        var shapes = args.Length > 2 ? args[2..] : Shapes;
        var gemvWidth = GemmWidthBenchmarks.GemvWidth();
        Console.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; Nn Gemv width {gemvWidth} bits; {rounds} rounds");
        Gemm.MaxThreads = 1;
        if (gemmOnly)
        {
            GemmTable(rounds, shapes, target: 0);
            return 0;
        }

        Console.WriteLine("| batch 1 | Nn fastest | ORT fastest | ratio of fastest | Nn median | ORT median | median of round ratios |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var name in new[] { "2-100-3", "784-100-10", "784-512-512-10" })
        {
            BatchOne(name, rounds);
        }

        Console.WriteLine();
        Console.WriteLine("| one layer, batch 1 (k×n, ReLU) | Gemv.Forward fastest | Gemm.MatMul m = 1 fastest | ratio of fastest | median of round ratios |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (k, n) in new[] { (2, 100), (100, 3), (784, 100), (100, 10), (784, 512), (512, 512), (512, 10) })
        {
            Layer(k, n, rounds);
        }

        Console.WriteLine();
        GemmTable(rounds, shapes, target: 0);
        return 0;
    }

    /// <summary>The GEMM shapes of the issue's batch-256 networks.</summary>
    internal static readonly string[] Shapes = { "256x784x100", "256x3072x100", "256x784x512", "256x512x512" };

    /// <summary>GEMM on one thread against the multiply-add peak, per shape; a target (0.85) adds a column.</summary>
    internal static void GemmTable(int rounds, string[] shapes, double target)
    {
        Console.WriteLine($"| GEMM, 1 thread | Nn fastest | Nn GFLOP/s (fastest) | peak GFLOP/s (fastest, {GemmWidthBenchmarks.PeakBits}-bit) | of peak (fastest) | of peak (median of rounds) |{(target > 0 ? $" ≥ {target:P0} |" : "")}");
        Console.WriteLine($"| --- | ---: | ---: | ---: | ---: | ---: |{(target > 0 ? " --- |" : "")}");
        foreach (var shape in shapes)
        {
            GemmShape(shape, rounds, target);
        }
    }

    private static void BatchOne(string name, int rounds)
    {
        var subject = Subject.Create(name);
        var rng = new Rng(3);
        var x = new float[subject.Inputs];
        for (var i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        var scores = new float[subject.Outputs];
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(subject.Onnx, options);
        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(x, new long[] { 1, subject.Inputs });
        using var output = OrtValue.CreateTensorValueFromMemory(scores, new long[] { 1, subject.Outputs });
        using var binding = session.CreateIoBinding();
        binding.BindInput("x", input);
        binding.BindOutput("scores", output);

        Action nn = () => subject.One(x, scores);
        Action ort = () => session.RunWithBinding(runOptions, binding);
        var (a, b) = Alternate(nn, ort, rounds);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {Ns(a.Min())} | {Ns(b.Min())} | {b.Min() / a.Min():F2}× | {Ns(Median(a))} | {Ns(Median(b))} | {Median(b.Zip(a, (o, n) => o / n).ToArray()):F2}× |"));
    }

    private static void GemmShape(string shape, int rounds, double target)
    {
        var dims = Array.ConvertAll(shape.Split('x'), int.Parse);
        var (m, k, n) = (dims[0], dims[1], dims[2]);
        var rng = new Rng(1);
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        for (var i = 0; i < a.Length; i++) a[i] = (float)rng.NextGaussian();
        for (var i = 0; i < b.Length; i++) b[i] = (float)rng.NextGaussian();
        var flops = 2.0 * m * k * n;
        var peakFlops = (double)PeakIterations * 12 * 2 * (GemmWidthBenchmarks.PeakBits / 32);
        var sink = 0f;
        var (g, p) = Alternate(() => Gemm.MatMul<float>(a, b, c, m, k, n), () => sink += GemmWidthBenchmarks.Chains(PeakIterations), rounds);
        var gemm = g.Select(t => flops / t).ToArray();
        var peak = p.Select(t => peakFlops / t).ToArray();
        var ofPeak = Median(gemm.Zip(peak, (x, y) => x / y).ToArray());
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {shape} | {Ns(g.Min())} | {gemm.Max():F1} | {peak.Max():F1} | {gemm.Max() / peak.Max():P0} | {ofPeak:P0} |{(target > 0 ? (ofPeak >= target ? " yes |" : " **no** |") : "")}{(sink == 1 ? " " : "")}"));
    }

    private static void Layer(int k, int n, int rounds)
    {
        var rng = new Rng(5);
        var x = new float[k];
        var w = new float[k * n];
        var b = new float[n];
        var y = new float[n];
        for (var i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        for (var i = 0; i < w.Length; i++) w[i] = (float)rng.NextGaussian();
        var (g, m) = Alternate(
            () => Gemv.Forward<float>(x, w, b, y, k, n, Epilogue.Relu),
            () => Gemm.MatMul<float>(x, w, y, 1, k, n, b, Epilogue.Relu),
            rounds);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {k}×{n} | {Ns(g.Min())} | {Ns(m.Min())} | {m.Min() / g.Min():F2}× | {Median(m.Zip(g, (o, q) => o / q).ToArray()):F2}× |"));
    }

    // Per-call nanoseconds of each block, first and second subject, round by round.
    // blockNs and pauseMs serve two-thread subjects: the other subject's threads spin for a while after its block (Nn's
    // GEMM worker 200 µs, ONNX Runtime's pool by default), so a pause lets them go idle before the next block, and a
    // longer block spreads the wake-up of one's own idle threads over more calls.
    internal static (double[] First, double[] Second) Alternate(Action first, Action second, int rounds, double blockNs = 100_000, int pauseMs = 0)
    {
        var calls = Calibrate(first, blockNs);
        var secondCalls = Calibrate(second, blockNs);
        // Half a second of both before timing: tiered compilation replaces the first code of a method only after about
        // 100 ms (200 in the issue's fresh-process measurement); 400 rounds of 0.2 ms would otherwise time tier-0 code.
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500)
        {
            Block(first, calls);
            Block(second, secondCalls);
        }

        var a = new double[rounds];
        var b = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            Pause(pauseMs);
            a[r] = Block(first, calls) / calls;
            Pause(pauseMs);
            b[r] = Block(second, secondCalls) / secondCalls;
        }

        return (a, b);
    }

    private static void Pause(int ms)
    {
        if (ms > 0)
        {
            System.Threading.Thread.Sleep(ms);
        }
    }

    // Calls per block so that a block lasts about blockNs (0.1 ms unless asked; at least one call).
    private static int Calibrate(Action action, double blockNs)
    {
        for (var i = 0; i < 200; i++) action();
        var best = Enumerable.Range(0, 20).Min(_ => Block(action, 10) / 10);
        return Math.Max(1, (int)(blockNs / best));
    }

    /// <summary>Nanoseconds of one call.</summary>
    internal static double Time(Action action) => Block(action, 1);

    private static double Block(Action action, int calls)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
    }

    internal static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    internal static string Ns(double ns) => ns >= 1_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:F1} ms")
        : ns >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1000:F2} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{ns:F0} ns");
}
