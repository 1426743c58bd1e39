using System;
using System.IO;

namespace Nn.Generator.Tests;

/// <summary>
/// Stands in for Verify: compares text with <c>Snapshots/&lt;name&gt;.verified.cs</c>. A mismatch writes
/// <c>&lt;name&gt;.received.cs</c> beside it and fails; <c>NN_ACCEPT_SNAPSHOTS=1</c> accepts the new text.
/// </summary>
internal static class Snapshot
{
    public static void Match(string actual, string name)
    {
        var directory = SnapshotDirectory();
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("NN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified} yet. Wrote {received}; review it and accept with NN_ACCEPT_SNAPSHOTS=1."
            : $"Generated code differs from {verified} at line {FirstDifference(expected, actual)}. Wrote {received}; diff the two, and accept with NN_ACCEPT_SNAPSHOTS=1 if the change is intended.");
    }

    private static int FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return i + 1;
            }
        }

        return Math.Min(a.Length, b.Length) + 1;
    }

    // The source folder of this project, found from the test binary's folder (bin/<config>/<tfm>/).
    internal static string SnapshotDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Snapshots");
            if (File.Exists(Path.Combine(dir.FullName, "Nn.Generator.Tests.csproj")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("Could not find tests/Nn.Generator.Tests/Snapshots above " + AppContext.BaseDirectory);
    }
}
