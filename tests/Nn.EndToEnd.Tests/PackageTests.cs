using System;
using System.Diagnostics;
using System.IO;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// What a user does first: a fresh console project, the freshly packed Nn package from a local folder source,
/// a network declared, built, run; and a bad declaration that the packaged analyzer reports.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-package-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FreshConsoleProjectBuildsAndRunsWithThePackage()
    {
        var repository = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);   // never a cached copy
        var packages = Path.Combine(_dir, "packages");
        Run(repository, "dotnet", $"pack src/Nn.Runtime -c {configuration} --no-build -o \"{packages}\" -p:Version={version}");

        var app = Path.Combine(_dir, "app");
        Run(_dir, "dotnet", "new console -o app --framework net10.0");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        Run(app, "dotnet", $"add package Nn --version {version}");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Nn;

            var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
            var net = new Net(seed: 1);
            var trainer = new Net.Trainer(net, maxBatch: 300);
            for (var i = 0; i < 2000; i++)
            {
                trainer.Loss(x, y, reg: 1e-3f);
                trainer.Step(1.0f);
            }

            var predicted = new int[300];
            net.Predict(x, predicted);
            var correct = 0;
            for (var i = 0; i < 300; i++) correct += predicted[i] == y[i] ? 1 : 0;
            System.Console.WriteLine($"parameters={Net.ParameterCount} accuracy={correct / 3.0:F1}");

            [Input(2)]
            [Affine(50), ReLU]
            [Affine(3), Softmax]
            public partial class Net;
            """);
        var output = Run(app, "dotnet", "run -c Release");
        Assert.Contains("parameters=303", output);
        var accuracy = double.Parse(output[(output.IndexOf("accuracy=", StringComparison.Ordinal) + 9)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 90, output);

        // The analyzer ships in the package too: a bad declaration fails the build with its Nn diagnostic.
        File.WriteAllText(Path.Combine(app, "Bad.cs"), "using Nn; [Input(2)] [Affine(0)] public partial class Bad;");
        var (code, text) = Execute(app, "dotnet", "build -c Release");
        Assert.NotEqual(0, code);
        Assert.Contains("error NN0004", text);
    }

    // The NativeAOT instruction set the package's buildTransitive files give an app (evaluated, not published: the
    // publish itself runs in tests/install/run.sh). x64 targets get x86-64-v3 unless the app chose; arm64 targets get
    // ILC's own default; `native` applies only when publishing for the machine's own architecture.
    [Theory]
    [InlineData("-p:RuntimeIdentifier=linux-x64", "x86-64-v3")]
    [InlineData("-p:RuntimeIdentifier=win-x64", "x86-64-v3")]
    [InlineData("-p:RuntimeIdentifier=linux-musl-x64", "x86-64-v3")]
    [InlineData("-p:RuntimeIdentifier=linux-arm64", "")]
    [InlineData("-p:RuntimeIdentifier=osx-arm64", "")]
    [InlineData("-p:RuntimeIdentifier=linux-x64 -p:IlcInstructionSet=x86-64-v4", "x86-64-v4")]
    [InlineData("-p:RuntimeIdentifier=linux-arm64 -p:IlcInstructionSet=armv8.2-a", "armv8.2-a")]
    [InlineData("-p:RuntimeIdentifier=linux-x64 -p:NnIlcInstructionSet=x86-64-v4", "x86-64-v4")]
    [InlineData("-p:RuntimeIdentifier=linux-x64 -p:NnIlcInstructionSet=", "")]
    public void NativeAotInstructionSetDefault(string arguments, string expected)
    {
        var root = RepositoryRoot();
        var buildTransitive = Path.Combine(root, "src", "Nn.Runtime", "buildTransitive");
        File.WriteAllText(Path.Combine(_dir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Path.Combine(buildTransitive, "Nn.props")}" />
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <Import Project="{Path.Combine(buildTransitive, "Nn.targets")}" />
            </Project>
            """);
        var output = Run(_dir, "dotnet", $"msbuild App.csproj -getProperty:IlcInstructionSet {arguments}");
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public void NativeAppliesOnlyToTheMachinesOwnArchitecture()
    {
        const string value = "native";
        var host = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        var other = host == "x64" ? "arm64" : "x64";
        NativeAotInstructionSetDefault($"-p:RuntimeIdentifier=linux-{host} -p:NnIlcInstructionSet={value}", value);
        NativeAotInstructionSetDefault($"-p:RuntimeIdentifier=linux-{other} -p:NnIlcInstructionSet={value}", "");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nn.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Nn.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Run(string directory, string file, string arguments)
    {
        var (code, output) = Execute(directory, file, arguments);
        Assert.True(code == 0, $"`{file} {arguments}` in {directory} exited with {code}:\n{output}");
        return output;
    }

    private static (int Code, string Output) Execute(string directory, string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");   // the test host's MSBuild settings must not leak into the child
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result);
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
