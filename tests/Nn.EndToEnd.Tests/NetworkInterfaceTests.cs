using System;
using System.IO;
using System.Linq;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// A generated network through <see cref="INetwork{T}"/> is the network itself: the same sizes, description, buffers, scores
/// and weights files, for float and double, with and without BatchNorm's State; and <see cref="NetworkSlot.Create{TNetwork}(Func{TNetwork}, string, WeightsOptions?)"/>
/// serves and reloads a generated network with no load delegate.
/// </summary>
public sealed class NetworkInterfaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-inetwork-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ADoubleBatchNormNetworkIsItsOwnINetworkOfDouble()
    {
        var net = new BatchNormCheckNet(seed: 1);
        net.runningMean1.Fill(0.5);
        net.runningVar2.Fill(2);
        INetwork<double> network = net;

        Assert.Equal(BatchNormCheckNet.InputSize, network.InputSize);
        Assert.Equal(BatchNormCheckNet.OutputSize, network.OutputSize);
        Assert.Equal(BatchNormCheckNet.Architecture, network.Architecture);
        Assert.Same(BatchNormCheckNet.Tensors, network.Tensors);
        Assert.Same(BatchNormCheckNet.StateTensors, network.StateTensors);
        Assert.Same(BatchNormCheckNet.Layers, network.Layers);
        Assert.Same(net.Parameters, network.Parameters);
        Assert.Same(net.State, network.State);
        Assert.Equal(BatchNormCheckNet.StateCount, network.State.Length);
        AssertSameScores<double>(net.Forward, net.Forward, network.Forward, network.Forward, BatchNormCheckNet.InputSize, BatchNormCheckNet.OutputSize);

        // Save and Load through the interface: Nn's layout from a path, a stream and bytes, and PyTorch's layout.
        var path = Path.Combine(_dir, "bn.safetensors");
        network.Save(path);
        INetwork<double>[] loaded = { new BatchNormCheckNet(seed: 2), new BatchNormCheckNet(seed: 3), new BatchNormCheckNet(seed: 4) };
        loaded[0].Load(path);
        using (var stream = File.OpenRead(path))
        {
            loaded[1].Load(stream);
        }

        loaded[2].Load(File.ReadAllBytes(path).AsSpan());
        var torch = Path.Combine(_dir, "bn-torch.safetensors");
        network.Save(torch, WeightsLayout.PyTorch);
        var fromTorch = new BatchNormCheckNet(seed: 5);
        ((INetwork)fromTorch).Load(torch);
        foreach (var other in loaded.Append(fromTorch))
        {
            Assert.Equal(net.Parameters, other.Parameters);
            Assert.Equal(net.State, other.State);
        }
    }

    [Fact]
    public void AFloatNetworkWithoutStateHasAnEmptyOne()
    {
        var net = new SpiralNet(seed: 1);
        INetwork<float> network = net;

        Assert.Empty(network.State);
        Assert.Empty(network.StateTensors);
        Assert.Equal(2, network.InputSize);
        Assert.Equal(3, network.OutputSize);
        Assert.Equal(SpiralNet.Tensors.Select(t => t.Name), network.Tensors.Select(t => t.Name));
        Assert.Same(net.Parameters, network.Parameters);
        AssertSameScores<float>(net.Forward, net.Forward, network.Forward, network.Forward, SpiralNet.InputSize, SpiralNet.OutputSize);
    }

    [Fact]
    public void ASlotForAGeneratedNetworkNeedsNoLoadDelegate()
    {
        string a = Path.Combine(_dir, "a.safetensors"), b = Path.Combine(_dir, "b.safetensors"), corrupt = Path.Combine(_dir, "bad.safetensors");
        new SpiralNet(seed: 1).Save(a);
        new SpiralNet(seed: 2).Save(b);
        File.WriteAllBytes(corrupt, File.ReadAllBytes(b)[..^4]);

        var slot = NetworkSlot.Create(() => new SpiralNet(seed: 9), a);
        Assert.Equal(new SpiralNet(seed: 1).Parameters, slot.Current.Parameters);

        var first = slot.Current;
        Assert.Same(first, slot.Reload(b));
        Assert.Equal(new SpiralNet(seed: 2).Parameters, slot.Current.Parameters);
        var serving = slot.Current;
        Assert.Throws<InvalidDataException>(() => slot.Reload(corrupt));
        Assert.Same(serving, slot.Current);
        Assert.Throws<FileNotFoundException>(() => NetworkSlot.Create(() => new SpiralNet(), Path.Combine(_dir, "missing.safetensors")));

        // Serving a prepared instance first; reloads still make fresh instances.
        var trained = new SpiralNet(seed: 3);
        var fromInstance = NetworkSlot.Create(trained, () => new SpiralNet());
        Assert.Same(trained, fromInstance.Current);
        fromInstance.Reload(a);
        Assert.NotSame(trained, fromInstance.Current);
        Assert.Equal(new SpiralNet(seed: 1).Parameters, fromInstance.Current.Parameters);
        Assert.Equal(new SpiralNet(seed: 3).Parameters, trained.Parameters);

        Assert.Throws<ArgumentNullException>(() => NetworkSlot.Create<SpiralNet>(null!, a));
        Assert.Throws<ArgumentNullException>(() => NetworkSlot.Create(() => new SpiralNet(), null!));
        Assert.Throws<ArgumentNullException>(() => NetworkSlot.Create(null!, () => new SpiralNet()));
    }

    // The options reach every load: a PyTorch file whose modules have names loads only when the slot is told them.
    [Fact]
    public void ASlotPassesItsWeightsOptionsToEveryLoad()
    {
        var source = new SpiralNet(seed: 4);
        var positional = Path.Combine(_dir, "torch.safetensors");
        source.Save(positional, WeightsLayout.PyTorch);
        var named = Path.Combine(_dir, "named.safetensors");
        File.WriteAllBytes(named, Rename(File.ReadAllBytes(positional), ("0.weight", "a.weight"), ("0.bias", "a.bias"), ("2.weight", "b.weight"), ("2.bias", "b.bias")));

        Assert.Throws<InvalidDataException>(() => NetworkSlot.Create(() => new SpiralNet(), named));
        var options = new WeightsOptions { Modules = ["a", "b"] };
        var slot = NetworkSlot.Create(() => new SpiralNet(), named, options);
        Assert.Equal(source.Parameters, slot.Current.Parameters);
        slot.Reload(named);
        Assert.Equal(source.Parameters, slot.Current.Parameters);
    }

    // Names of the same length, replaced in the safetensors header (8-byte length, then JSON), so the offsets stay valid.
    private static byte[] Rename(byte[] file, params (string From, string To)[] names)
    {
        var headerLength = (int)BitConverter.ToUInt64(file, 0);
        var header = System.Text.Encoding.UTF8.GetString(file, 8, headerLength);
        foreach (var (from, to) in names)
        {
            Assert.Equal(from.Length, to.Length);
            Assert.Contains($"\"{from}\"", header, StringComparison.Ordinal);
            header = header.Replace($"\"{from}\"", $"\"{to}\"", StringComparison.Ordinal);
        }

        var renamed = file.ToArray();
        System.Text.Encoding.UTF8.GetBytes(header).CopyTo(renamed, 8);
        return renamed;
    }

    private delegate void One<T>(ReadOnlySpan<T> x, Span<T> scores);

    private delegate void Batch<T>(ReadOnlySpan<T> x, Span<T> scores, int batch);

    // The network's own Forward and the interface's give the same scores, one sample and a batch of 4.
    private static void AssertSameScores<T>(One<T> one, Batch<T> batch, One<T> viaOne, Batch<T> viaBatch, int inputSize, int outputSize)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = Enumerable.Range(0, 4 * inputSize).Select(i => T.CreateChecked(Math.Sin(i))).ToArray();
        T[] a = new T[4 * outputSize], b = new T[4 * outputSize], c = new T[outputSize], d = new T[outputSize];
        batch(x, a, 4);
        viaBatch(x, b, 4);
        one(x.AsSpan(0, inputSize), c);
        viaOne(x.AsSpan(0, inputSize), d);
        Assert.Equal(a, b);
        Assert.Equal(c, d);
        Assert.Contains(a, v => v != T.Zero);
    }
}
