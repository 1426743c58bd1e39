using System;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Nn.Benchmarks;

/// <summary>Adds the rate (GFLOP/s, or GB/s for bandwidth) and the fraction of the FMA peak measured in the same run.</summary>
public sealed class GflopsConfig : ManualConfig
{
    public GflopsConfig()
    {
        AddColumn(new RateColumn(ofPeak: false), new RateColumn(ofPeak: true));
    }
}

/// <summary>
/// Rate = work / mean time. Work: 2·m·k·n for a GEMM shape (the last "m×k×n" of the Shape parameter), the FMA count of
/// MachineBenchmarks, bytes for the bandwidth read. "of peak" divides a GEMM's rate by "FMA Vector512, 1 core" (Threads = 1)
/// or "FMA Vector512, 2 cores" (Threads = 2) from the same summary: run both classes together with --join.
/// </summary>
public sealed class RateColumn : IColumn
{
    private readonly bool _ofPeak;

    public RateColumn(bool ofPeak) => _ofPeak = ofPeak;

    public string Id => _ofPeak ? "OfPeak" : "Rate";

    public string ColumnName => _ofPeak ? "of peak" : "Rate";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => _ofPeak ? 1 : 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => _ofPeak ? "GFLOP/s as a fraction of the FMA peak measured in the same run (same thread count)" : "GFLOP/s (GB/s for bandwidth)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var (work, unit) = Work(benchmarkCase);
        var rate = Rate(summary, benchmarkCase, work);
        if (rate is null)
        {
            return "-";
        }

        if (!_ofPeak)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{rate:F1} {unit}");
        }

        if (!benchmarkCase.Parameters.Items.Any(p => p.Name == "Shape"))
        {
            return "-";
        }

        var threads = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Threads")?.Value as int? ?? 1;
        var peakMethod = threads >= 2 ? nameof(MachineBenchmarks.Fma512TwoCores) : nameof(MachineBenchmarks.Fma512);
        var peakCase = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == peakMethod);
        var peak = peakCase is null ? null : Rate(summary, peakCase, Work(peakCase).Work);
        return peak is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{rate / peak:P0}");
    }

    private static double? Rate(Summary summary, BenchmarkCase benchmarkCase, double work)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;   // ns
        return mean is null || work <= 0 ? null : work / mean.Value;   // work per ns = G per s
    }

    private static (double Work, string Unit) Work(BenchmarkCase benchmarkCase)
    {
        const double Fmas = (double)MachineBenchmarks.Iterations * 12 * 2;
        switch (benchmarkCase.Descriptor.WorkloadMethod.Name)
        {
            case nameof(MachineBenchmarks.Fma512): return (Fmas * 16, "GFLOP/s");
            case nameof(MachineBenchmarks.Fma256): return (Fmas * 8, "GFLOP/s");
            case nameof(MachineBenchmarks.Fma512TwoCores): return (Fmas * 16 * 2, "GFLOP/s");
            case nameof(MachineBenchmarks.Bandwidth): return (64.0 * (1 << 20) * sizeof(float), "GB/s");
        }

        var shape = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value as string;
        if (shape is null)
        {
            return (0, "");
        }

        var dims = shape.Split(' ').Last().Split('x').Select(d => double.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return (2 * dims[0] * dims[1] * dims[2], "GFLOP/s");
    }
}
