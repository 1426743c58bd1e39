using Nn;

namespace Spiral;

/// <summary>The CS231n softmax linear classifier: scores = x·W + b.</summary>
[Input(2)]
[Affine(3), Softmax]
public partial class LinearNet;

/// <summary>The CS231n two-layer network: 100 ReLU units, then 3 class scores.</summary>
[Input(2)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class SpiralNet;
