// Cold start of Nn's per-call members in fresh processes, under the runtime's default settings (tiered compilation on).
// --member picks what each call is: Forward (batch 1, the default), Predict (batch 1), Probabilities (batch 1), or
// TrainStep (trainer.Loss on a minibatch of 64 with reg 1e-3, then trainer.Step: one SGD training step; Subjects.cs).
// Each run is a new process (this program with --child) that builds the network, then makes that call in a loop for
// --seconds after the first call, taking a timestamp after every call and the thread's allocated bytes every 256 calls.
// From that it reports:
//   first call     the first call alone (JIT compilation of everything it reaches);
//   first 1000     the mean of calls 1..1000;
//   steady         the median per-call time of the 1-ms buckets in the second half of the calls after the first;
//   settled after  time from the start of the first call until the per-call time (median of 5 consecutive 1-ms
//                  buckets) stays within 10 % of steady for the rest of the run;
//   B after 1st    bytes the calling thread allocated after its first call returned, over the whole run;
//   windows        the per-call time in windows after the first call returned (0–10 ms, 10–50, 50–100, 100–200, 200–500,
//                  500–1000, 1000 on), as a ratio to steady: 1 from 50 ms on is "steady speed within 50 ms".
// The timed loop itself is compiled optimized from the start (Measure), so that only Nn's own code changes.
// The parent prints the median and the worst of --runs processes per network, member and width.
//   dotnet run -c Release --project bench/Startup -- [--width 512,256,128] [--runs 10] [--seconds 1.5]
//       [--net 2-100-3,784-100-10,784-512-512-10] [--member Forward,Predict,Probabilities,TrainStep] [--env NAME=VALUE ...]
// --width 256 sets DOTNET_EnableAVX512=0 and 128 sets DOTNET_EnableAVX2=0 for the child processes; 512 is the default
// (the widest this machine has). Each child prints its widths, and a width switch that did not take effect is an error.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nn;
using Nn.Benchmarks;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
return Array.IndexOf(args, "--child") >= 0 ? Child.Run(args) : Parent.Run(args);

internal delegate void One(ReadOnlySpan<float> x, Span<float> scores);

internal static class Options
{
    public static string Get(string[] args, string name, string fallback)
    {
        var i = Array.LastIndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static IEnumerable<string> All(string[] args, string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                yield return args[i + 1];
            }
        }
    }
}

internal static class Parent
{
    public static int Run(string[] args)
    {
        var widths = Options.Get(args, "--width", "512,256,128").Split(',');
        var nets = Options.Get(args, "--net", "2-100-3,784-100-10,784-512-512-10").Split(',');
        var members = Options.Get(args, "--member", "Forward").Split(',');
        var runs = int.Parse(Options.Get(args, "--runs", "10"), CultureInfo.InvariantCulture);
        var seconds = Options.Get(args, "--seconds", "1.5");
        var extra = Options.All(args, "--env").ToList();

        Console.WriteLine($"# Nn cold start: {runs} fresh processes per row, {seconds} s of calls each, .NET {Environment.Version}" +
            (extra.Count > 0 ? ", " + string.Join(" ", extra) : ", default runtime settings"));
        Console.WriteLine();
        Console.WriteLine("| width | widths the child reported | network | member | first call µs | first 1000 µs/call | steady ns/call | settled after ms (median / worst) | methods compiled after 1st call | last compiled at ms | B allocated after 1st call (worst) | per-call time ÷ steady, ms after the 1st call: 0–10 10–50 50–100 100–200 200–500 500–1000 1000– |");
        Console.WriteLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        var failed = false;
        foreach (var width in widths)
        {
            foreach (var (net, member) in nets.SelectMany(n => members.Select(m => (n, m))))
            {
                var results = new List<Dictionary<string, string>>();
                for (var r = 0; r < runs; r++)
                {
                    var result = Start(width, net, member, seconds, extra);
                    if (result is null)
                    {
                        failed = true;
                        break;
                    }

                    results.Add(result);
                }

                if (results.Count == 0)
                {
                    continue;
                }

                var reported = results[0]["widths"];
                if ((width == "256" && reported.Contains("V512 True", StringComparison.Ordinal))
                    || (width == "128" && reported.Contains("V256 True", StringComparison.Ordinal)))
                {
                    Console.Error.WriteLine($"--width {width}: the switch did not take effect ({reported})");
                    failed = true;
                }

                double Median(string key) => MedianOf(results.Select(x => double.Parse(x[key], CultureInfo.InvariantCulture)));
                double Max(string key) => results.Max(x => double.Parse(x[key], CultureInfo.InvariantCulture));
                var windowCount = Child.WindowEdges.Length - 1;
                var ratios = Enumerable.Range(0, windowCount).Select(w => MedianOf(results
                    .Select(r => r["windows"].Split(',')[w]).Where(v => v != "nan").Select(v => double.Parse(v, CultureInfo.InvariantCulture))));
                Console.WriteLine($"| {width} | {reported} | {net} | {member} | {Median("first_us"):N0} | {Median("first1000_us"):N2} | " +
                    $"{Median("steady_ns"):N0} | {Median("settle_ms"):N0} / {Max("settle_ms"):N0} | {Median("jitted_after_first"):N0} | " +
                    $"{Median("last_jit_ms"):N0} | {Max("bytes_after_first"):N0} | {string.Join(" ", ratios.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} |");
            }
        }

        return failed ? 1 : 0;
    }

    private static Dictionary<string, string>? Start(string width, string net, string member, string seconds, List<string> extra)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!Environment.ProcessPath!.EndsWith("Nn.Benchmarks.Startup", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(Parent).Assembly.Location);   // started as `dotnet Nn.Benchmarks.Startup.dll`
        }

        foreach (var a in new[] { "--child", "--net", net, "--member", member, "--seconds", seconds })
        {
            start.ArgumentList.Add(a);
        }

        switch (width)
        {
            case "512": break;
            case "256": start.Environment["DOTNET_EnableAVX512"] = "0"; break;
            case "128": start.Environment["DOTNET_EnableAVX2"] = "0"; break;
            default: throw new ArgumentException($"--width takes 512, 256 or 128, not {width}");
        }

        foreach (var pair in extra)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            start.Environment[pair[..eq]] = pair[(eq + 1)..];
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"child for width {width}, {net} {member} failed (exit {process.ExitCode}):\n{output}");
            return null;
        }

        return line["result ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1].Replace('_', ' '));
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

internal static class Child
{
    /// <summary>Examples per training step of --member TrainStep: a minibatch as users train with.</summary>
    public const int TrainBatch = 64;

    public static int Run(string[] args)
    {
        var net = Options.Get(args, "--net", "2-100-3");
        var member = Options.Get(args, "--member", "Forward");
        var seconds = double.Parse(Options.Get(args, "--seconds", "1.5"), CultureInfo.InvariantCulture);
        var (inputs, outputs, call) = Subjects.Make(net, member);
        if (member == "TrainStep")
        {
            inputs *= TrainBatch;   // x is a minibatch [64×InputSize]; the labels are inside the call
        }

        var rng = new Rng(3);
        var x = new float[inputs];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        var scores = new float[outputs];
        var limit = (long)(seconds * Stopwatch.Frequency);
        // Timestamps after every call (preallocated: the loop itself allocates nothing). 2-100-3 runs ~4 M calls/s.
        var capacity = (int)Math.Min(int.MaxValue / 2, seconds * 8_000_000);
        var stamps = new long[capacity];
        var allocated = new long[capacity / 256 + 2];
        var jitted = new long[capacity / 256 + 2];

        var (t0, calls, firstDone, jittedFirst) = Measure(call, x, scores, stamps, allocated, jitted, limit);
        var bytesAfterFirst = GC.GetAllocatedBytesForCurrentThread() - firstDone;
        var jittedAfterFirst = System.Runtime.JitInfo.GetCompiledMethodCount() - jittedFirst;

        // Per-call time in 1-ms buckets from the start of the first call.
        var tick = Stopwatch.Frequency / 1000.0;
        var bucketCount = (int)((stamps[calls - 1] - t0) / tick) + 1;
        var time = new double[bucketCount];
        var count = new int[bucketCount];
        for (var i = 1; i < calls; i++)
        {
            var b = (int)((stamps[i] - t0) / tick);
            time[b] += stamps[i] - stamps[i - 1];
            count[b]++;
        }

        var perCall = Enumerable.Range(0, bucketCount).Select(b => count[b] > 0 ? time[b] / count[b] / tick * 1e6 : double.NaN).ToArray();
        var firstBucket = (int)((stamps[0] - t0) / tick);
        var secondHalf = perCall.Skip((firstBucket + bucketCount) / 2).Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        var steady = secondHalf[secondHalf.Length / 2];
        // Smoothed: the median of 5 consecutive buckets, so that one preempted millisecond does not count as unsettled.
        var settled = 0;
        for (var b = 0; b + 5 <= bucketCount; b++)
        {
            var window = perCall.Skip(b).Take(5).Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            if (window.Length > 0 && window[window.Length / 2] > 1.1 * steady)
            {
                settled = b + 1;
            }
        }

        var first = (stamps[0] - t0) / tick * 1000;
        var n1000 = Math.Min(1000, calls - 1);
        var first1000 = (stamps[n1000] - stamps[0]) / tick * 1000 / Math.Max(1, n1000);
        // When the allocations after the first call happened (ms since the first call started), for investigation.
        // And when the last method was compiled (tier-up, OSR): after it, the code the loop runs no longer changes.
        var allocationTimes = new List<string>();
        var previous = firstDone;
        var lastJit = 0.0;
        for (var i = 1; i <= (calls - 1) >> 8; i++)
        {
            if (jitted[i] != jitted[i - 1])
            {
                lastJit = (stamps[i << 8] - t0) / tick;
            }

            if (allocated[i] != previous)
            {
                allocationTimes.Add($"{(stamps[i << 8] - t0) / tick:F0}ms:{allocated[i] - previous}B");
                previous = allocated[i];
            }
        }

        // The per-call time in windows after the first call returned, as a ratio to steady (median of the 1-ms buckets in
        // each window): the target is steady speed within 50 ms of the first call, so every window from 50 ms on should
        // be about 1, and a window well above 1 shows code still running unoptimized (tier 0, before OSR or tier-up).
        var windows = new List<string>();
        var firstEnd = (stamps[0] - t0) / tick;
        for (var w = 0; w + 1 < WindowEdges.Length; w++)
        {
            var from = (int)(firstEnd + WindowEdges[w]);
            var to = Math.Min(bucketCount, (int)(firstEnd + WindowEdges[w + 1]));
            var inWindow = perCall.Skip(from).Take(Math.Max(0, to - from)).Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            windows.Add(inWindow.Length == 0 ? "nan" : string.Create(CultureInfo.InvariantCulture, $"{inWindow[inWindow.Length / 2] / steady:F2}"));
        }

        var widths = $"V512 {Vector512.IsHardwareAccelerated}, V256 {Vector256.IsHardwareAccelerated}, Vector<float> {Vector<float>.Count}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result first_us={first:F0} first1000_us={first1000:F3} steady_ns={steady:F1} settle_ms={settled} " +
            $"bytes_after_first={bytesAfterFirst} jitted_after_first={jittedAfterFirst} last_jit_ms={lastJit:F0} calls={calls} " +
            $"windows={string.Join(",", windows)} " +
            $"widths={widths.Replace(' ', '_')}"));
        Console.WriteLine("allocations after the first call: " + (allocationTimes.Count == 0 ? "none" : string.Join(" ", allocationTimes)));
        return 0;
    }

    /// <summary>Edges of the windows after the first call, in ms: 0–10, 10–50, 50–100, 100–200, 200–500, 500–1000, 1000 on.</summary>
    public static readonly double[] WindowEdges = { 0, 10, 50, 100, 200, 500, 1000, double.PositiveInfinity };

    // The timed loop. Optimized at its first call like Nn's own per-call members: otherwise this loop would start as tier-0
    // code and be replaced by on-stack replacement, and its own speed-up would be counted as Forward's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (long T0, int Calls, long FirstDone, long JittedFirst) Measure(
        One call, float[] x, float[] scores, long[] stamps, long[] allocated, long[] jitted, long limit)
    {
        var capacity = stamps.Length;
        var t0 = Stopwatch.GetTimestamp();
        call(x, scores);
        stamps[0] = Stopwatch.GetTimestamp();
        var firstDone = GC.GetAllocatedBytesForCurrentThread();
        var jittedFirst = System.Runtime.JitInfo.GetCompiledMethodCount();
        jitted[0] = jittedFirst;
        var calls = 1;
        // --seconds of calls after the first one returned (the first alone can take over a second on a loaded machine).
        while (calls < capacity && stamps[calls - 1] - stamps[0] < limit)
        {
            call(x, scores);
            stamps[calls] = Stopwatch.GetTimestamp();
            if ((calls & 255) == 0)
            {
                allocated[calls >> 8] = GC.GetAllocatedBytesForCurrentThread();
                jitted[calls >> 8] = System.Runtime.JitInfo.GetCompiledMethodCount();
            }

            calls++;
        }

        return (t0, calls, firstDone, jittedFirst);
    }
}
