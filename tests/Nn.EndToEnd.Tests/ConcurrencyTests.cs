using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// The concurrency contract of docs/concurrency.md: inference on one instance from many threads gives exactly the
/// single-threaded results, and <see cref="NetworkSlot{TNetwork}"/> swaps weights under readers without a mixed result.
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int Samples = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-slot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Inputs()
    {
        var rng = new Rng(5);
        return Enumerable.Range(0, Samples * Cifar10Net.InputSize).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    // One-sample scores of every input, then the batch scores of all of them.
    private static (float[] One, float[] Batch) Outputs(Cifar10Net net, float[] x)
    {
        var one = new float[Samples * Cifar10Net.OutputSize];
        for (var i = 0; i < Samples; i++)
        {
            net.Forward(x.AsSpan(i * Cifar10Net.InputSize, Cifar10Net.InputSize), one.AsSpan(i * Cifar10Net.OutputSize, Cifar10Net.OutputSize));
        }

        var batch = new float[Samples * Cifar10Net.OutputSize];
        net.Forward(x, batch, Samples);
        return (one, batch);
    }

    private static bool Same(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));

    [Fact]
    public void InferenceOnOneInstanceFromManyThreadsMatchesOneThreadBitwise()
    {
        var net = new Cifar10Net(seed: 1);
        var x = Inputs();
        var (one, batch) = Outputs(net, x);
        var probabilities = new float[Samples * Cifar10Net.OutputSize];
        net.Probabilities(x, probabilities, Samples);
        var labels = new int[Samples];
        net.Predict(x, labels);

        var mismatches = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            var scores = new float[Cifar10Net.OutputSize];
            var all = new float[Samples * Cifar10Net.OutputSize];
            var predicted = new int[Samples];
            for (var round = 0; round < 300; round++)
            {
                var i = (round + thread) % Samples;
                net.Forward(x.AsSpan(i * Cifar10Net.InputSize, Cifar10Net.InputSize), scores);
                var ok = Same(scores, one.AsSpan(i * Cifar10Net.OutputSize, Cifar10Net.OutputSize));
                if (round % 10 == 0)
                {
                    net.Forward(x, all, Samples);
                    ok &= Same(all, batch);
                    net.Probabilities(x, all, Samples);
                    ok &= Same(all, probabilities);
                    net.Predict(x, predicted);
                    ok &= predicted.SequenceEqual(labels);
                }

                if (!ok)
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public async Task SlotReloadUnderReadersGivesOldOrNewWeightsNeverAMix()
    {
        string a = Path.Combine(_dir, "a.safetensors"), b = Path.Combine(_dir, "b.safetensors"), corrupt = Path.Combine(_dir, "corrupt.safetensors");
        new Cifar10Net(seed: 1).Save(a);
        new Cifar10Net(seed: 2).Save(b);
        File.WriteAllBytes(corrupt, File.ReadAllBytes(b)[..^4]);   // truncated: the header is valid, the last tensor is short

        var x = Inputs();
        var loadedA = new Cifar10Net();
        loadedA.Load(a);
        var loadedB = new Cifar10Net();
        loadedB.Load(b);
        var (oneA, batchA) = Outputs(loadedA, x);
        var (oneB, batchB) = Outputs(loadedB, x);
        Assert.False(Same(oneA, oneB));

        var slot = new NetworkSlot<Cifar10Net>(() => new Cifar10Net(), (net, path) => net.Load(path), a);
        int mismatches = 0, sawA = 0, sawB = 0, reloads = 0, refused = 0;
        using var stop = new CancellationTokenSource();
        // Dedicated threads, not pool tasks: on a 2-core machine running other test classes, pool tasks could start only
        // after the reloads ended (CI saw a run where the readers read nothing).
        var readers = Enumerable.Range(0, 3).Select(thread => Task.Factory.StartNew(() =>
        {
            var scores = new float[Cifar10Net.OutputSize];
            var all = new float[Samples * Cifar10Net.OutputSize];
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var i = (round + thread) % Samples;
                var range = new Range(i * Cifar10Net.OutputSize, (i + 1) * Cifar10Net.OutputSize);
                slot.Current.Forward(x.AsSpan(i * Cifar10Net.InputSize, Cifar10Net.InputSize), scores);
                bool isA = Same(scores, oneA.AsSpan(range)), isB = Same(scores, oneB.AsSpan(range));
                if (round % 8 == 0)
                {
                    slot.Current.Forward(x, all, Samples);
                    isA |= Same(all, batchA);
                    isB |= Same(all, batchB);
                }

                Interlocked.Increment(ref isA ? ref sawA : ref isB ? ref sawB : ref mismatches);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        // The reloader: a, b, a, b, ... with a corrupt file every third time, which must throw and leave the serving network.
        var clock = Stopwatch.StartNew();
        // At least 2 s and 20 reloads, and on until the readers have seen both files (at most a minute: a machine too busy
        // to schedule them fails the assertion below instead of hanging).
        while ((clock.Elapsed < TimeSpan.FromSeconds(2) || reloads < 20 || Volatile.Read(ref sawA) == 0 || Volatile.Read(ref sawB) == 0)
            && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (reloads % 3 == 2)
            {
                var serving = slot.Current;
                Assert.Throws<InvalidDataException>(() => slot.Reload(corrupt));
                Assert.Same(serving, slot.Current);
                refused++;
            }

            var previous = slot.Reload(reloads % 2 == 0 ? b : a);
            Assert.NotSame(previous, slot.Current);
            reloads++;
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, mismatches);
        Assert.True(sawA > 0 && sawB > 0, $"readers saw a {sawA} times and b {sawB} times");
        Assert.True(refused > 0);

        // Swap publishes a prepared instance as it is.
        var prepared = new Cifar10Net(seed: 2);
        slot.Swap(prepared);
        Assert.Same(prepared, slot.Current);
        Assert.Throws<FileNotFoundException>(() => slot.Reload(Path.Combine(_dir, "missing.safetensors")));
        Assert.Same(prepared, slot.Current);
    }
}
