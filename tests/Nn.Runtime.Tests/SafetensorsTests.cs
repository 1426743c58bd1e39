using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Nn.Runtime.Tests;

/// <summary>Saving from two threads at once, and files that must be refused before they are read: too long, a directory, a FIFO.</summary>
public sealed class SafetensorsTests : IDisposable
{
    private static readonly TensorInfo[] Tensors = { new("W", 0, new[] { 4, 8 }), new("b", 32, new[] { 8 }) };
    private const string Architecture = "test";
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TwoThreadsSavingToOnePathDoNotBreakEachOther()
    {
        var path = Path.Combine(_dir, "shared.safetensors");
        const int Saves = 300;
        var failures = 0;
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            for (var i = 0; i < Saves; i++)
            {
                try
                {
                    Safetensors.Save<float>(path, Values(t, i), Tensors, Architecture);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, failures);
        var loaded = new float[40];
        Safetensors.Load<float>(path, loaded, Tensors, Architecture);
        Assert.Contains(Enumerable.Range(0, 2).SelectMany(t => Enumerable.Range(0, Saves).Select(i => Values(t, i))), v => v.SequenceEqual(loaded));
        Assert.Equal(new[] { "shared.safetensors" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    private static float[] Values(int thread, int save) => Enumerable.Range(0, 40).Select(k => (thread * 100_000f) + (save * 100f) + k).ToArray();
}
