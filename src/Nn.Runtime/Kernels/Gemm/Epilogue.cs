using System.ComponentModel;

namespace Nn.Kernels;

/// <summary>What a matrix product does to its output before storing it.</summary>
/// <remarks>Called by generated code; not part of the user API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum Epilogue
{
    /// <summary>Store the value as computed.</summary>
    None = 0,

    /// <summary>Store <c>max(0, value)</c>: the ReLU of an Affine layer, applied while the tile is in registers.</summary>
    Relu = 1,
}
