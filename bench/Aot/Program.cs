// Nn's Forward at batch 1 and 256 on the four benchmark architectures, timed with a Stopwatch: the same code runs
// JIT-compiled (dotnet run) and NativeAOT-compiled (dotnet publish), so the two columns differ only in the compiler.
// For each case: warm up for 0.3 s, pick a call count that takes ~50 ms, time 15 such rounds, print the median and the
// minimum per call, and the bytes the calling thread allocated per call over all rounds.
//   dotnet run -c Release --project bench/Aot [-- --quick]
//   dotnet publish bench/Aot -c Release -o bench/Aot/out && bench/Aot/out/Nn.Benchmarks.Aot [--quick]
using System;
using System.Diagnostics;
using System.Globalization;
using Nn;
using Nn.Benchmarks;
using Nn.Kernels;

var quick = Array.IndexOf(args, "--quick") >= 0;
var rounds = quick ? 5 : 15;
var roundTime = TimeSpan.FromMilliseconds(quick ? 20 : 50);
// PublishAot turns RuntimeFeature.IsDynamicCodeSupported off under the JIT too; a JIT has compiled methods, AOT code none.
var compiler = System.Runtime.JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT";
Gemm.MaxThreads = 1;   // one thread, as in the other inference tables
Console.WriteLine($"# Nn Forward, {compiler}, .NET {Environment.Version}, one thread, Vector<float>.Count = {System.Numerics.Vector<float>.Count} " +
    $"(accelerated: {System.Numerics.Vector.IsHardwareAccelerated}), Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, " +
    $"Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, AVX2: {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, " +
    $"FMA: {System.Runtime.Intrinsics.X86.Fma.IsSupported}, {rounds} rounds of ~{roundTime.TotalMilliseconds} ms");
Console.WriteLine();
Console.WriteLine("| Architecture | Batch | Compiler | Median ns/op | Min ns/op | Allocated B/op |");
Console.WriteLine("|---|---:|---|---:|---:|---:|");

var n1 = new Net2x100x3(1);
var n2 = new Net784x100x10(1);
var n3 = new Net3072x100x10(1);
var n4 = new Net784x512x512x10(1);
Case("2-100-3", Net2x100x3.InputSize, Net2x100x3.OutputSize, n1.Forward, n1.Forward);
Case("784-100-10", Net784x100x10.InputSize, Net784x100x10.OutputSize, n2.Forward, n2.Forward);
Case("3072-100-10", Net3072x100x10.InputSize, Net3072x100x10.OutputSize, n3.Forward, n3.Forward);
Case("784-512-512-10", Net784x512x512x10.InputSize, Net784x512x512x10.OutputSize, n4.Forward, n4.Forward);

void Case(string name, int inputs, int outputs, One one, Batch batch)
{
    foreach (var size in new[] { 1, 256 })
    {
        var rng = new Rng(3);
        var x = new float[size * inputs];
        for (var i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        var scores = new float[size * outputs];
        var run = size == 1 ? (Action<int>)(calls => { for (var i = 0; i < calls; i++) one(x, scores); })
                            : calls => { for (var i = 0; i < calls; i++) batch(x, scores, size); };

        var clock = Stopwatch.StartNew();
        var warm = 0L;
        while (clock.Elapsed.TotalSeconds < 0.3) { run(1); warm++; }
        var perCall = clock.Elapsed.TotalNanoseconds / warm;
        var calls = Math.Max(1, (int)(roundTime.TotalNanoseconds / perCall));

        var times = new double[rounds];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var r = 0; r < rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            run(calls);
            times[r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
        }

        var allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / ((long)calls * rounds);
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {size} | {compiler} | {times[rounds / 2]:N1} | {times[0]:N1} | {allocated:0.##} |"));
    }
}

internal delegate void One(ReadOnlySpan<float> x, Span<float> scores);

internal delegate void Batch(ReadOnlySpan<float> x, Span<float> scores, int batch);
