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

    [Fact]
    public void TrailingBytesAreRefusedBeforeTheFileIsRead()
    {
        var path = Path.Combine(_dir, "long.safetensors");
        Safetensors.Save<float>(path, Values(0, 1), Tensors, Architecture);
        var length = new FileInfo(path).Length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(length + (100 << 20));   // sparse: 100 MB of zeros that take no disk
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load<float>(path, new float[40], Tensors, Architecture));
        Assert.InRange(watch.ElapsedMilliseconds, 0, 2000);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Contains(path, e.Message);
        Assert.Contains($"it is {length + (100 << 20)} bytes long", e.Message);
        Assert.Contains($"make {length} bytes (trailing bytes", e.Message);
    }

    [Fact]
    public void DirectoryIsNamedAsOne()
    {
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load<float>(_dir, new float[40], Tensors, Architecture));
        Assert.Contains($"'{_dir}'", e.Message);
        Assert.Contains("it is a directory", e.Message);
        Assert.DoesNotContain("does not exist", e.Message);
    }

    [Fact]
    public async Task FifoAndDeviceAreRefusedWithoutHanging()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = Path.Combine(_dir, "pipe.safetensors");
        Process mkfifo;
        try
        {
            mkfifo = Process.Start("mkfifo", fifo);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return;   // no mkfifo on this machine
        }

        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        foreach (var path in new[] { fifo, "/dev/zero" })
        {
            var load = Task.Run(() => Safetensors.Load<float>(path, new float[40], Tensors, Architecture));
            var first = await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(first == load, $"Loading '{path}' hangs.");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => load);
            Assert.Contains(path, e.Message);
            Assert.Contains("not a regular file", e.Message);
        }
    }

    [Fact]
    public void SaveRemovesTemporaryFilesOfKilledProcessesAndKeepsThoseOfLiveOnes()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var dead = DeadProcessId();
        var deadStart = 12345L;
        var me = Environment.ProcessId;
        var myStart = Safetensors.StartToken(me);
        Assert.NotNull(myStart);
        var hourAgo = DateTime.UtcNow.AddHours(-1);
        string Temporary(string middle, DateTime written)
        {
            var file = Path.Combine(_dir, $".w.safetensors.{middle}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(file, new byte[1000]);
            File.SetLastWriteTimeUtc(file, written);
            return file;
        }

        var killed = Temporary($"{dead}.{deadStart}", hourAgo);              // its process is gone: removed
        var killedOldName = Temporary($"{dead}", hourAgo);                  // the name saves used before the start was recorded
        var reused = Temporary($"{me}.{myStart + 1}", hourAgo);              // its PID now belongs to a process started later
        var live = Temporary($"{me}.{myStart}", hourAgo);                   // a save still running in a live process: kept
        var recent = Temporary($"{dead}.{deadStart}", DateTime.UtcNow);     // written a moment ago (maybe by another machine): kept
        var forgotten = Temporary($"{me}.{myStart}", DateTime.UtcNow.AddDays(-2));   // nobody writes for two days: removed
        var otherFile = Path.Combine(_dir, $".x.safetensors.{dead}.{deadStart}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(otherFile, new byte[10]);
        File.SetLastWriteTimeUtc(otherFile, hourAgo);                       // another target's: not this save's business

        Safetensors.Save<float>(path, Values(0, 0), Tensors, Architecture);

        Assert.False(File.Exists(killed), "a killed process's temporary file was kept");
        Assert.False(File.Exists(killedOldName), "a killed process's temporary file (old name) was kept");
        Assert.False(File.Exists(reused), "a temporary file whose PID was reused was kept");
        Assert.False(File.Exists(forgotten), "a temporary file idle for two days was kept");
        Assert.True(File.Exists(live), "a live process's temporary file was removed");
        Assert.True(File.Exists(recent), "a temporary file written a moment ago was removed");
        Assert.True(File.Exists(otherFile), "another file's temporary file was removed");
        var loaded = new float[40];
        Safetensors.Load<float>(path, loaded, Tensors, Architecture);
        Assert.Equal(Values(0, 0), loaded);
    }

    // The id of a process that has exited (and whose id no process has taken since).
    private static int DeadProcessId()
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/sh", "-c true") { UseShellExecute = false })!;
            var pid = process.Id;
            process.WaitForExit();
            if (Safetensors.StartToken(pid) is null)
            {
                return pid;
            }
        }

        throw new InvalidOperationException("no exited process id found");
    }

    private static float[] Values(int thread, int save) => Enumerable.Range(0, 40).Select(k => (thread * 100_000f) + (save * 100f) + k).ToArray();
}
