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

    // One child process for both tests: it runs ≥ 1.5 s.
    private static readonly Lazy<(int Code, string Output, string[] Jitted)> Child = new(Execute);

    [Fact]
    public void FreshProcessAllocatesNothingAfterItsFirstCalls()
    {
        var (code, output, _) = Child.Value;
        Assert.True(code == 0, $"Nn.ColdStart exited with {code}:\n{output}");
        var line = output.Split('\n').Single(l => l.StartsWith("allocated_after_first=", StringComparison.Ordinal));
        var fields = line.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        Assert.True(int.Parse(fields["rounds"]) >= 20_000, line);
        Assert.True(fields["allocated_after_first"] == "0", $"allocated after the first calls, in a fresh process: {line}");
    }

    /// <summary>
    /// Every method Nn runs per call — the generated members of four networks and a trainer (Forward, Predict,
    /// Probabilities, Loss, Evaluate, Step), the kernels, and what they call in other libraries (System.Numerics.Tensors,
    /// the runtime's VectorMath) — is compiled optimized at its first call: none starts as tier-0 code and is re-compiled
    /// at tier 1 after its first 30 calls, which is when a fresh process's per-call time changes (issue #13). The JIT's
    /// own list of what it compiled, at which tier (DOTNET_JitDisasmSummary), is the evidence. A method called once (a
    /// constructor, an initializer) stays tier-0 code and is not listed here; on-stack replacement of such a method's
    /// loop (Initializers.Gaussian while it fills W) is not a re-compilation after the first call and is not counted.
    /// </summary>
    [Fact]
    public void FreshProcessRecompilesNoPerCallCodeOfNn()
    {
        var (code, output, jitted) = Child.Value;
        Assert.True(code == 0, $"Nn.ColdStart exited with {code}:\n{output}");
        Assert.True(jitted.Length > 100, $"the JIT's list has {jitted.Length} lines: DOTNET_JitStdOutFile did not take effect?");
        var recompiled = jitted
            .Where(line => line.Contains("Tier1", StringComparison.Ordinal) && !line.Contains("OSR", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf("JIT compiled ", StringComparison.Ordinal) + 13)..])
            .Where(method => Ours.Any(prefix => method.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Assert.True(recompiled.Count == 0, $"re-compiled after starting as tier-0 code:\n{string.Join("\n", recompiled)}");
    }

    // Nn's code (the runtime's namespaces and the child's generated networks) and the libraries its kernels used to call.
    private static readonly string[] Ours =
        ["Nn.", "ColdSpiralNet", "ColdMnistNet", "ColdDeepNet", "System.Numerics.Tensors.", "System.Runtime.Intrinsics.VectorMath"];

    private static (int Code, string Output, string[] Jitted) Execute()
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

        var jitList = Path.Combine(Path.GetTempPath(), $"nn-coldstart-jit-{Environment.ProcessId}.txt");
        File.Delete(jitList);
        start.Environment["DOTNET_JitStdOutFile"] = jitList;
        start.Environment["DOTNET_JitDisasmSummary"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 60 s\n" + stdout.Result + stderr.Result, []);
        }

        var jitted = File.Exists(jitList) ? File.ReadAllLines(jitList) : [];
        File.Delete(jitList);
        return (process.ExitCode, stdout.Result + stderr.Result, jitted);
    }
}
