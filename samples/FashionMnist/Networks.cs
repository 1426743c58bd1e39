using Nn;

namespace FashionMnist;

/// <summary>The network: 784 → 100 ReLU → 10.</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet;

/// <summary>A deeper one, as the submitted 256-128-64 MLPs.</summary>
[Input(28, 28)]
[Affine(256), ReLU]
[Affine(128), ReLU]
[Affine(64), ReLU]
[Affine(10), Softmax]
public partial class DeepFashionNet;

/// <summary>The 256-128 MLP with BatchNorm after each hidden Affine and Dropout(0.2) after each ReLU.</summary>
[Input(28, 28)]
[Affine(256), BatchNorm, ReLU, Dropout(0.2)]
[Affine(128), BatchNorm, ReLU, Dropout(0.2)]
[Affine(10), Softmax]
public partial class RegularizedFashionNet;
