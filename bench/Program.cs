using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench -- --filter '*'            full BenchmarkDotNet runs
// dotnet run -c Release --project bench -- --filter '*' --job short a quick look (3 warm-ups, 3 iterations)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
