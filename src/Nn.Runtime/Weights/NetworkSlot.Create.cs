using System;

namespace Nn;

/// <summary>
/// Makes a <see cref="NetworkSlot{TNetwork}"/> for a generated network, which loads its own weights files
/// (<see cref="INetwork.Load(string, WeightsOptions?)"/>): only how to make an instance is needed.
/// </summary>
/// <example>
/// <code>
/// var slot = NetworkSlot.Create(() => new FashionNet(), "fashion.safetensors");
/// slot.Reload("fashion-v2.safetensors");   // readers of slot.Current see the old weights or the new ones, never a mix
/// </code>
/// </example>
public static class NetworkSlot
{
    /// <summary>
    /// Creates a slot serving the weights in <paramref name="path"/>; every <see cref="NetworkSlot{TNetwork}.Reload"/> loads
    /// its file into a fresh instance from <paramref name="create"/> with the network's own <c>Load</c>.
    /// </summary>
    /// <param name="create">Makes a fresh instance, e.g. <c>() =&gt; new FashionNet()</c>.</param>
    /// <param name="path">The weights file to serve first (Nn's safetensors layout or a PyTorch state_dict).</param>
    /// <param name="options">How to read PyTorch files whose modules have names (<see cref="WeightsOptions.Modules"/>), for this and every reload.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="System.IO.FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="System.IO.InvalidDataException">The file is not a weights file of this network.</exception>
    public static NetworkSlot<TNetwork> Create<TNetwork>(Func<TNetwork> create, string path, WeightsOptions? options = null)
        where TNetwork : class, INetwork =>
        new(create, LoadWith<TNetwork>(options), path);

    /// <summary>
    /// Creates a slot serving <paramref name="initial"/> (trained, or loaded some other way); every
    /// <see cref="NetworkSlot{TNetwork}.Reload"/> loads its file into a fresh instance from <paramref name="create"/> with the
    /// network's own <c>Load</c>.
    /// </summary>
    /// <param name="initial">The network to serve first; not changed by the slot.</param>
    /// <param name="create">Makes a fresh instance for each reload, e.g. <c>() =&gt; new FashionNet()</c>.</param>
    /// <param name="options">How to read PyTorch files whose modules have names, for every reload.</param>
    /// <exception cref="ArgumentNullException"><paramref name="initial"/> or <paramref name="create"/> is null.</exception>
    public static NetworkSlot<TNetwork> Create<TNetwork>(TNetwork initial, Func<TNetwork> create, WeightsOptions? options = null)
        where TNetwork : class, INetwork =>
        new(initial, create, LoadWith<TNetwork>(options));

    private static Action<TNetwork, string> LoadWith<TNetwork>(WeightsOptions? options)
        where TNetwork : class, INetwork =>
        (network, path) => network.Load(path, options);
}
