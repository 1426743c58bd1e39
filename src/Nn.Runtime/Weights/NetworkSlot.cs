using System;
using System.Threading;

namespace Nn;

/// <summary>
/// Holds the network that serves inference and replaces it without ever exposing a half-loaded one: <see cref="Reload"/>
/// loads a weights file into a fresh instance, fully checked, and only then publishes it in one atomic write. Threads that
/// call <c>slot.Current.Forward(...)</c> meanwhile get the old weights or the new ones, never a mix; a file that fails to
/// load throws to the caller of <see cref="Reload"/> and leaves the old network serving.
/// </summary>
/// <typeparam name="TNetwork">A generated network class, for example <c>FashionNet</c>.</typeparam>
/// <remarks>
/// For a generated network, <see cref="NetworkSlot.Create{TNetwork}(Func{TNetwork}, string, WeightsOptions?)"/> needs only how
/// to make an instance (<c>NetworkSlot.Create(() =&gt; new FashionNet(), path)</c>): every generated network is an
/// <see cref="INetwork"/> and loads its own weights files. The constructors take how to load one too, for any other way
/// of loading (<c>(net, path) =&gt; net.LoadOnnx(path)</c> with Nn.Onnx) or any other class. Inference members (<c>Forward</c>,
/// <c>Predict</c>, <c>Probabilities</c>) are safe on one instance from many threads; <c>Load</c>, <c>Initialize</c>, a
/// trainer's <c>Step</c> and writes to <c>Parameters</c> are not safe while another thread reads the same instance
/// (docs/concurrency.md). The slot never changes a published instance: each reload makes a new one, and the one it
/// replaces stays valid for the calls still using it. Never change an instance after giving it to <see cref="Swap"/>.
/// </remarks>
public sealed class NetworkSlot<TNetwork>
    where TNetwork : class
{
    private readonly Func<TNetwork> _create;
    private readonly Action<TNetwork, string> _load;
    private readonly Lock _reloading = new();
    private TNetwork _current;

    /// <summary>Creates a slot serving <paramref name="initial"/>.</summary>
    /// <param name="initial">The network to serve first; not changed by the slot.</param>
    /// <param name="create">Makes a fresh instance for each <see cref="Reload"/>, e.g. <c>() =&gt; new FashionNet()</c>.</param>
    /// <param name="load">Loads a weights file into a fresh instance, throwing if the file is not valid, e.g. <c>(net, path) =&gt; net.Load(path)</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public NetworkSlot(TNetwork initial, Func<TNetwork> create, Action<TNetwork, string> load)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(load);
        _current = initial;
        _create = create;
        _load = load;
    }

    /// <summary>Creates a slot serving the weights in <paramref name="path"/>, loaded as <see cref="Reload"/> does.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="Exception">Whatever <paramref name="load"/> throws for the file (the generated <c>Load</c>: <see cref="System.IO.FileNotFoundException"/>, <see cref="System.IO.InvalidDataException"/>).</exception>
    public NetworkSlot(Func<TNetwork> create, Action<TNetwork, string> load, string path)
        : this(Loaded(create, load, path), create, load)
    {
    }

    /// <summary>
    /// The network serving now. Read it once per request (<c>var net = slot.Current;</c>) when a request makes several
    /// calls that must see the same weights; each read may return a newer instance.
    /// </summary>
    public TNetwork Current => Volatile.Read(ref _current);

    /// <summary>
    /// Loads <paramref name="path"/> into a fresh instance and, once the whole file has loaded, makes it <see cref="Current"/>.
    /// Concurrent reloads are applied one at a time, in the order they take the slot.
    /// </summary>
    /// <returns>The network that was serving before; calls already using it finish on it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="Exception">Whatever the load delegate throws (the generated <c>Load</c>: <see cref="System.IO.FileNotFoundException"/>,
    /// <see cref="System.IO.InvalidDataException"/>); <see cref="Current"/> is then unchanged.</exception>
    public TNetwork Reload(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_reloading)
        {
            return Interlocked.Exchange(ref _current, Loaded(_create, _load, path));
        }
    }

    /// <summary>
    /// Makes <paramref name="network"/> <see cref="Current"/>, for an instance prepared some other way (trained, or loaded from
    /// a stream). The caller must not change it afterwards: readers use it without a lock.
    /// </summary>
    /// <returns>The network that was serving before.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public TNetwork Swap(TNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        lock (_reloading)
        {
            return Interlocked.Exchange(ref _current, network);
        }
    }

    private static TNetwork Loaded(Func<TNetwork> create, Action<TNetwork, string> load, string path)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(path);
        var network = create() ?? throw new InvalidOperationException($"The create delegate of NetworkSlot<{typeof(TNetwork).Name}> returned null.");
        load(network, path);
        return network;
    }
}
