using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// A freshly started process under the runtime's default settings (tiered compilation and dynamic PGO on) allocates
/// nothing after its first calls, also while the runtime re-compiles code: tests/Nn.ColdStart, run as a child process.
/// This test project's own runs cannot show it, because by the time a test runs most of the runtime is already warm.
/// </summary>
public class ColdStartTests
{
    // Settings that change how the child compiles; the width switches (DOTNET_EnableAVX2=0, …) are passed on.
    private static readonly string[] JitSettings =
        ["TieredCompilation", "TC_", "TieredPGO", "ReadyToRun", "OSR_", "JITMinOpts", "JitStress", "ZapDisable"];

    [Fact]
    public void FreshProcessAllocatesNothingAfterItsFirstCalls()
    {
        var (code, output) = Execute();
        Assert.True(code == 0, $"Nn.ColdStart exited with {code}:\n{output}");
        var line = output.Split('\n').Single(l => l.StartsWith("allocated_after_first=", StringComparison.Ordinal));
        var fields = line.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        Assert.True(int.Parse(fields["rounds"]) >= 20_000, line);
        Assert.True(fields["allocated_after_first"] == "0", $"allocated after the first calls, in a fresh process: {line}");
    }

    private static (int Code, string Output) Execute()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Nn.sln")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("Nn.sln not found above " + AppContext.BaseDirectory);
        }

        var dll = Path.Combine(root.FullName, "tests", "Nn.ColdStart", "bin", configuration, "net10.0", "Nn.ColdStart.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var name in start.Environment.Keys.ToList())
        {
            var setting = name.StartsWith("DOTNET_", StringComparison.Ordinal) ? name[7..]
                : name.StartsWith("COMPlus_", StringComparison.Ordinal) ? name[8..] : null;
            if (setting is not null && JitSettings.Any(s => setting.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(name);
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 60 s\n" + stdout.Result + stderr.Result);
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
