using System;
using System.Threading.Tasks;
using Xunit.Runner.InProc.SystemConsole;

namespace Nn.Runtime.Tests;

/// <summary>Prints the widths this process runs at (CI checks that an ARM64 run says AdvSimd True), then runs the tests.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.WriteLine(WidthsTests.Describe());
        return await ConsoleRunner.Run(args);
    }
}
