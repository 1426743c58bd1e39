using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Xunit.Abstractions;

namespace Nn.EndToEnd.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of every file reader (IDX, Classify's PNG decoder, safetensors through the networks' Load and
/// Standardizer.Load) with CsCheck, for a fixed time budget per reader inside the normal test run; and the replay of every
/// file kept under Fuzz/Regressions. docs/testing.md says how to fuzz longer, reproduce a failure from its seed, and keep
/// a new regression file.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-fuzz-").FullName;
    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Seconds per reader: NN_FUZZ_SECONDS, or the CI budget given (about 25 s for the four runs).</summary>
    private static int Budget(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable("NN_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : ci;

    // A case's file, written where this thread's cases go, so CsCheck's threads never share one.
    private string Write(string reader, byte[] file)
    {
        var path = Path.Combine(_dir, $"case-{Environment.CurrentManagedThreadId}{Readers.Extensions[reader]}");
        File.WriteAllBytes(path, file);
        return path;
    }

    // The smallest failing case is kept where the message says, ready to be copied into Fuzz/Regressions/<reader>/.
    private static string Keep(string reader, byte[] file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nn-fuzz-failure-{reader}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file))[..16]}{Readers.Extensions[reader]}");
        File.WriteAllBytes(path, file);
        return $"{file.Length} bytes, written to {path}";
    }

    // Runs the property for the budget, with a watchdog for a case that never returns (CsCheck has no per-case timeout).
    private void Run<T>(string reader, Gen<T> gen, Func<T, byte[]> build, int seconds)
    {
        var iterations = 0;
        var run = Task.Run(() => gen.Sample(
            c =>
            {
                Interlocked.Increment(ref iterations);
                Readers.Check(reader, Write(reader, build(c)));
            },
            writeLine: _output.WriteLine,
            time: seconds,
            print: c => Keep(reader, build(c))));
        var finished = Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(seconds) + TimeSpan.FromMinutes(3))).GetAwaiter().GetResult();
        Assert.True(finished == run, $"the {reader} fuzzer did not finish: a case hangs");
        run.GetAwaiter().GetResult();   // CsCheck's exception, with the seed to reproduce and the shrunk case
        _output.WriteLine($"{reader}: {iterations} cases in {seconds} s");
    }

    [Fact]
    public void Idx() => Run(
        "idx",
        Gen.Select(Gen.Int[0, Readers.IdxSeeds.Length - 1], Mutation.Gen.Array[0, 6], Gen.Bool, Mutation.Gen.Array[0, 2]),
        c =>
        {
            var raw = Mutation.Apply(Readers.IdxSeeds[c.Item1], c.Item2);
            return c.Item3 ? Mutation.Apply(Readers.Gzip(raw), c.Item4) : raw;
        },
        Budget(6));

    [Fact]
    public void Png() => Run(
        "png",
        Gen.Select(Gen.Int[0, Readers.PngSeeds.Length - 1], Mutation.Gen.Array[1, 6], Gen.Bool),
        c =>
        {
            var file = Mutation.Apply(Readers.PngSeeds[c.Item1], c.Item2);
            return c.Item3 ? Readers.FixCrcs(file) : file;
        },
        Budget(8));

    [Fact]
    public void Safetensors()
    {
        var seeds = Readers.SafetensorsSeeds(_dir);
        Run(
            "safetensors",
            Gen.Select(Gen.Int[0, seeds.Length - 1], Mutation.Gen.Array[1, 6], Gen.Bool),
            c => c.Item3 ? Readers.MutateHeader(seeds[c.Item1], c.Item2) : Mutation.Apply(seeds[c.Item1], c.Item2),
            Budget(10));
    }

    /// <summary>The folder holding the regression files, copied next to the test assembly.</summary>
    private static string Regressions => Path.Combine(AppContext.BaseDirectory, "Fuzz", "Regressions");

    public static TheoryData<string, string> RegressionFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var reader in Readers.Extensions.Keys)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Regressions, reader)).Order(StringComparer.Ordinal))
            {
                data.Add(reader, Path.GetFileName(file));
            }
        }

        return data;
    }

    /// <summary>Every kept input must still satisfy its reader's property.</summary>
    [Theory]
    [MemberData(nameof(RegressionFiles))]
    public void Replay(string reader, string file)
    {
        var path = Path.Combine(_dir, file);
        File.Copy(Path.Combine(Regressions, reader, file), path);
        Readers.Check(reader, path);
    }

    [Fact]
    public void EveryReaderHasRegressionFiles()
    {
        foreach (var reader in Readers.Extensions.Keys)
        {
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(Regressions, reader)));
        }
    }
}
