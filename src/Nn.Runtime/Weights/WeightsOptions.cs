using System.Collections.Generic;

namespace Nn;

/// <summary>How a network's <c>Load</c> reads a weights file that another framework wrote.</summary>
public sealed class WeightsOptions
{
    /// <summary>
    /// The names of a PyTorch model's modules that hold weights (its Linear and BatchNorm1d modules), in the order of the
    /// network's layers: <c>["fc1", "fc2", "out"]</c> for a model whose state_dict has <c>fc1.weight</c>, <c>fc2.weight</c>, ….
    /// Null (the default) when the names are positional (<c>0.weight</c>, <c>2.weight</c>, … of an <c>nn.Sequential</c>):
    /// their numbers give the order.
    /// </summary>
    public IReadOnlyList<string>? Modules { get; init; }
}
