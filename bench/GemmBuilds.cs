using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

namespace Nn.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench -- gemm-builds rounds 256x784x100,256x512x512 dirA dirB …</c>: one GEMM
/// (one thread) from several builds of Nn.Runtime, each directory's Nn.*.dll loaded into an AssemblyLoadContext of its
/// own, timed call by call in turn (each round starting with the next build) with the Vector256 FMA peak loop after each
/// round. On a shared machine two processes
/// run minutes apart see different loads; here every round sees the same one, so the median of the per-round time ratios
/// compares two versions of a kernel (copy <c>bench/bin/Release/net10.0</c> aside before and after a change). Prints per
/// build the fastest call, its fraction of the fastest peak, the median call, the median of its per-round time ratio to
/// the first build and the median per-round fraction of the peak; warns when a build's C differs from the first's.
/// </summary>
internal delegate void Mm(float[] a, float[] b, float[] c, int m, int k, int n);

internal sealed class BuildContext : AssemblyLoadContext
{
    private readonly string _dir;

    public BuildContext(string dir)
        : base(dir, false) => _dir = dir;

    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(_dir, name.Name + ".dll");
        return name.Name!.StartsWith("Nn.", StringComparison.Ordinal) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}

public static class GemmBuilds
{
    private const int PeakIterations = 20_000;
    private static float s_sink;

    public static int Run(string[] args)
    {
        var rounds = int.Parse(args[0], CultureInfo.InvariantCulture);
        var shapes = args[1].Split(',');
        var dirs = args[2..];
        var gemms = dirs.Select(d => Load(Path.GetFullPath(d))).ToArray();
        var peakFlops = (double)PeakIterations * 12 * 2 * (GemmWidthBenchmarks.PeakBits / 32);
        foreach (var shape in shapes)
        {
            var dims = Array.ConvertAll(shape.Split('x'), int.Parse);
            var (m, k, n) = (dims[0], dims[1], dims[2]);
            var rng = new Rng(1);
            var a = new float[m * k];
            var b = new float[k * n];
            for (var i = 0; i < a.Length; i++) a[i] = (float)rng.NextGaussian();
            for (var i = 0; i < b.Length; i++) b[i] = (float)rng.NextGaussian();
            var cs = gemms.Select(_ => new float[m * n]).ToArray();
            var flops = 2.0 * m * k * n;

            // Tiered compilation replaces first code after about 100 ms: 1.5 s of all of them before timing.
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 1500)
            {
                for (var i = 0; i < gemms.Length; i++) gemms[i](a, b, cs[i], m, k, n);
                s_sink += GemmWidthBenchmarks.Chains(PeakIterations);
            }

            for (var i = 1; i < gemms.Length; i++)
            {
                if (!cs[i].AsSpan().SequenceEqual(cs[0]))
                {
                    Console.WriteLine($"  {dirs[i]}: C differs from {dirs[0]}'s");
                }
            }

            var times = gemms.Select(_ => new double[rounds]).ToArray();
            var peak = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                // Each round starts with the next build, so that every build takes every place equally often: with a
                // fixed order, swapping two builds moved their ratio from 1.08 to 1 / 1.15 (256×784×100).
                for (var j = 0; j < gemms.Length; j++)
                {
                    var i = (r + j) % gemms.Length;
                    var start = Stopwatch.GetTimestamp();
                    gemms[i](a, b, cs[i], m, k, n);
                    times[i][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                }

                var peakStart = Stopwatch.GetTimestamp();
                s_sink += GemmWidthBenchmarks.Chains(PeakIterations);
                peak[r] = Stopwatch.GetElapsedTime(peakStart).TotalNanoseconds;
            }

            var bestPeak = peakFlops / peak.Min();
            for (var i = 0; i < gemms.Length; i++)
            {
                var t = times[i];
                var ratio = Median(t.Zip(times[0], (x, y) => x / y));
                var ofPeak = Median(t.Zip(peak, (x, p) => (flops / x) / (peakFlops / p)));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {shape} | {dirs[i]} | {t.Min() / 1000:F1} µs | {flops / t.Min() / bestPeak:P0} | {Median(t) / 1000:F1} µs | {ratio:F3} | {ofPeak:P0} |"));
            }
        }

        return s_sink == 1 ? 1 : 0;
    }

    private static double Median(System.Collections.Generic.IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    // Gemm.MatMul<float>(a, b, c, m, k, n) of the build in dir, through a stub: the build's Epilogue is its own type.
    private static Mm Load(string dir)
    {
        var assembly = new BuildContext(dir).LoadFromAssemblyPath(Path.Combine(dir, "Nn.Runtime.dll"));
        var gemm = assembly.GetType("Nn.Kernels.Gemm")!;
        gemm.GetProperty("MaxThreads")!.SetValue(null, 1);
        var matMul = gemm.GetMethods().Single(m => m.Name == "MatMul" && m.GetParameters().Length == 9).MakeGenericMethod(typeof(float));
        var arrays = new[] { typeof(float[]), typeof(float[]), typeof(float[]), typeof(int), typeof(int), typeof(int) };
        var stub = new DynamicMethod("MatMul", typeof(void), arrays, typeof(GemmBuilds).Module);
        var il = stub.GetILGenerator();
        var empty = il.DeclareLocal(typeof(ReadOnlySpan<float>));
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Newobj, typeof(ReadOnlySpan<float>).GetConstructor(new[] { typeof(float[]) })!);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Newobj, typeof(ReadOnlySpan<float>).GetConstructor(new[] { typeof(float[]) })!);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Newobj, typeof(Span<float>).GetConstructor(new[] { typeof(float[]) })!);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Ldloca_S, empty);
        il.Emit(OpCodes.Initobj, typeof(ReadOnlySpan<float>));
        il.Emit(OpCodes.Ldloc, empty);
        il.Emit(OpCodes.Ldc_I4_0);     // Epilogue.None
        il.Emit(OpCodes.Ldc_I4_0);     // accumulate: false
        il.Emit(OpCodes.Call, matMul);
        il.Emit(OpCodes.Ret);
        return stub.CreateDelegate<Mm>();
    }
}
