using System;
using System.Linq;
using BenchmarkDotNet.Running;
using Nn.Benchmarks;

// dotnet run -c Release --project bench -- --filter '*'                      full BenchmarkDotNet runs
// dotnet run -c Release --project bench -- --filter '*' --job short --inProcess   a quick look (3 warm-ups, 3 iterations, one process)
// dotnet run -c Release --project bench -- widths [rounds] [gemm [shapes]]  batch 1 and GEMM (gemm: GEMM only) at the environment's width, alternating rounds
// dotnet run -c Release --project bench -- targets [rounds] [--epochs N]      every issue-13 target with its peer, alternating rounds
// dotnet run -c Release --project bench -- gemm-builds rounds shapes dirA dirB  one GEMM from several builds of Nn.Runtime, alternating call by call
// dotnet run -c Release --project bench -- epoch [--quick]                    one Fashion-MNIST epoch, Nn against TorchSharp
// TorchSharp's native library is made loadable on Debian 12 by TorchNative.Ensure (see TorchNative.cs).
if (args.Length > 0 && args[0] == "widths")
{
    return WidthRounds.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "targets")
{
    return TargetRounds.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "gemm-builds")
{
    return GemmBuilds.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "epoch")
{
    return FashionEpochBenchmarks.Run(args[1..]);
}

var types = typeof(Program).Assembly.GetTypes()
    .Where(t => t.IsPublic && !t.IsAbstract && t != typeof(FashionEpochBenchmarks) && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .ToArray();
BenchmarkSwitcher.FromTypes(types).Run(args);
return 0;
