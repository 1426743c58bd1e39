using Nn;

namespace Serve;

/// <summary>
/// The PyTorch-trained Fashion-MNIST MLP of samples/models: 784 pixels (x / 255) → 100 ReLU → 10 classes, its weights embedded
/// in the service at compile time (the NnWeights item in Serve.csproj), so <c>new FashionNet()</c> starts with them.
/// </summary>
[Weights("../models/fashion-torch.safetensors")]
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet;
