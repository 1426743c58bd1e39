using Nn;

namespace Nn.Benchmarks;

[Input(2)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class Net2x100x3;

[Input(784)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class Net784x100x10;

[Input(3072)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class Net3072x100x10;

[Input(784)]
[Affine(512), ReLU]
[Affine(512), ReLU]
[Affine(10), Softmax]
public partial class Net784x512x512x10;
