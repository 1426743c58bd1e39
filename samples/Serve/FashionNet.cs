using Nn;

namespace Serve;

/// <summary>The PyTorch-trained Fashion-MNIST MLP of samples/models: 784 pixels (x / 255) → 100 ReLU → 10 classes.</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet;
