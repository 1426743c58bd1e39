using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Nn.Runtime.Tests;

/// <summary>
/// The rules of docs/architecture.md that can be checked mechanically: what only generated code calls is hidden from
/// IntelliSense, each runtime folder holds one namespace, each public type lives in a file named after it, and the
/// runtime depends on no Roslyn assembly.
/// </summary>
public class ArchitectureTests
{
    private static readonly Assembly Runtime = typeof(Nn.Kernels.Gemm).Assembly;

    // Folder under src/Nn.Runtime → the namespace of every public type in it.
    private static readonly Dictionary<string, string> FolderNamespaces = new()
    {
        ["Kernels"] = "Nn.Kernels",
        ["Layers"] = "Nn.Kernels",
        ["Heads"] = "Nn.Kernels",
        ["Training"] = "Nn",
        ["Data"] = "Nn",
        ["Weights"] = "Nn",
    };

    [Fact]
    public void EveryPublicKernelTypeIsHiddenFromIntelliSense()
    {
        var kernels = Runtime.GetExportedTypes().Where(t => t.Namespace == "Nn.Kernels").ToList();
        Assert.NotEmpty(kernels);
        foreach (var type in kernels)
        {
            var attribute = type.GetCustomAttribute<EditorBrowsableAttribute>();
            Assert.True(attribute?.State == EditorBrowsableState.Never, $"{type.FullName} is public in Nn.Kernels but not [EditorBrowsable(Never)]");
        }
    }

    [Fact]
    public void TheUserApiIsOnlyInNnAndNnKernels()
    {
        var namespaces = Runtime.GetExportedTypes().Select(t => t.Namespace).Distinct().OrderBy(n => n).ToList();
        Assert.Equal(new[] { "Nn", "Nn.Kernels" }, namespaces);
    }

    [Fact]
    public void UserTypesDoNotShareNamesWithAttributesOrEachOther()
    {
        // The collisions the layout fixed: a kernel class named like an attribute ([Maxout] against class Maxout),
        // a static class named like a property users set (LearningRate), a class named like a generic one (Datasets).
        // (The attributes assembly is a private dependency of the runtime, so its names are read from its sources.)
        var attributes = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src", "Nn.Attributes"), "*.cs")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"class (\w+)Attribute\b").Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.Contains("Maxout", attributes);
        var exported = Runtime.GetExportedTypes().Select(t => t.Name.Split('`')[0]).ToList();
        Assert.DoesNotContain(exported, attributes.Contains);
        Assert.DoesNotContain("LearningRate", exported);
        Assert.DoesNotContain("Datasets", exported);
    }

    [Fact]
    public void TheRuntimeReferencesNoRoslynAssembly()
    {
        var references = Runtime.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Nn.Generator", StringComparison.Ordinal));
    }

    [Fact]
    public void EachFolderHoldsOneNamespaceAndEachPublicTypeItsOwnFile()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Nn.Runtime");
        var declaration = new Regex(
            @"^public\s+(?:(?:static|sealed|abstract|partial|readonly|ref|record)\s+)*(?:class|struct|interface|enum|record)\s+(\w+)",
            RegexOptions.Multiline);
        var checkedFiles = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var names = declaration.Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.True(names.Count <= 1, $"{relative} declares {names.Count} public types: {string.Join(", ", names)}");
            if (names.Count == 1)
            {
                var fileName = Path.GetFileName(file);
                Assert.True(fileName == names[0] + ".cs" || fileName.StartsWith(names[0] + ".", StringComparison.Ordinal),
                    $"{relative} declares public type {names[0]}; name the file {names[0]}.cs");
            }

            var folder = relative.Split('/')[0];
            if (FolderNamespaces.TryGetValue(folder, out var expected) && names.Count == 1)
            {
                Assert.True(Regex.IsMatch(text, @"^namespace " + Regex.Escape(expected) + ";", RegexOptions.Multiline),
                    $"{relative} is under {folder}/, whose public types are in namespace {expected}");
            }

            checkedFiles++;
        }

        Assert.True(checkedFiles > 30, $"only {checkedFiles} runtime files found under {root}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Nn.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Nn.sln not found above " + AppContext.BaseDirectory);
    }
}
