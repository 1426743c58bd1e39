using System;
using Nn;

namespace Serve;

/// <summary>
/// Nn's engine: a <see cref="NetworkSlot{TNetwork}"/> of <see cref="FashionNet"/>. Each request reads <c>slot.Current</c>
/// once, so a reload meanwhile gives it the old weights or the new ones, never a mix (docs/concurrency.md).
/// </summary>
public sealed class NnClassifier : IClassifier
{
    private const string Embedded = "embedded: " + FashionNet.WeightsResource;
    private readonly NetworkSlot<FashionNet> _slot;
    private string _source;

    /// <summary>Serves the weights embedded in <see cref="FashionNet"/> by <c>[Weights]</c>.</summary>
    public NnClassifier()
    {
        _slot = NetworkSlot.Create(new FashionNet(), () => new FashionNet());
        _source = Embedded;
    }

    /// <summary>Serves the weights in <paramref name="path"/> (Nn's or PyTorch's safetensors layout).</summary>
    public NnClassifier(string path)
    {
        _slot = new NetworkSlot<FashionNet>(() => new FashionNet(), (net, file) => net.Load(file), path);
        _source = path;
    }

    public string Engine => "nn";

    public string Source => _source;

    public void Probabilities(ReadOnlySpan<float> pixels, Span<float> probabilities, int batch)
    {
        var net = _slot.Current;
        if (batch == 1)
        {
            net.Probabilities(pixels, probabilities);   // the one-sample path: no batch workspace
        }
        else
        {
            net.Probabilities(pixels, probabilities, batch);
        }
    }

    /// <summary>Loads <paramref name="path"/>, or the embedded weights again when it is the embedded source (an empty reload).</summary>
    public void Reload(string path)
    {
        if (path == Embedded)
        {
            _slot.Swap(new FashionNet());
        }
        else
        {
            _slot.Reload(path);
        }

        _source = path;
    }

    public void Dispose()
    {
    }
}
