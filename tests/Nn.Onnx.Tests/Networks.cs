using Nn;

namespace Nn.Onnx.Tests;

[Input(2)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class OnnxSpiral;

#pragma warning disable NN0011, NN0020 // reason: every activation, stacked and hidden, is what the exporter must handle
[Input(4, 3)]
[Affine(12), LeakyReLU(0.05)]
[Affine(10), Tanh]
[Affine(16), Maxout(2)]
[Affine(9), Sigmoid, ReLU]
[Affine(6), Maxout(3), Svm]
public partial class OnnxMixed;
#pragma warning restore NN0011, NN0020

[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class OnnxMnist;

/// <summary>BatchNorm with its defaults and with Epsilon set, and Dropout after a ReLU and a Tanh, which the export leaves out.</summary>
[Input(6)]
[Affine(16), BatchNorm, ReLU, Dropout(0.5)]
[Affine(8), BatchNorm(Epsilon = 1e-3), Tanh, Dropout(0.25)]
[Affine(4), Softmax]
public partial class OnnxBatchNorm;

/// <summary>The declarations of the PyTorch models in Fixtures/make_fixtures.py.</summary>
[Input(3, 4)]
[Affine(8), ReLU]
[Affine(5), LeakyReLU(0.1)]
[Affine(3), Softmax]
public partial class TorchMlp;

[Input(3, 4, Precision = Precision.Double)]
[Affine(8), ReLU]
[Affine(5), LeakyReLU(0.1)]
[Affine(3), Softmax]
public partial class TorchMlpDouble;

/// <summary>The same file's declaration with one width wrong: the import must say which node and print the right declaration.</summary>
[Input(3, 4)]
[Affine(9), ReLU]
[Affine(5), LeakyReLU(0.1)]
[Affine(3), Softmax]
public partial class TorchMlpWrongWidth;

[Input(3, 4)]
[Affine(8), ReLU]
[Affine(5), LeakyReLU(0.2)]
[Affine(3), Softmax]
public partial class TorchMlpWrongSlope;

#pragma warning disable NN0011, NN0020 // reason: the PyTorch model has a hidden Sigmoid
[Input(6)]
[Affine(16), BatchNorm(Epsilon = 1e-3), Tanh, Dropout(0.2)]
[Affine(4), Sigmoid]
[Affine(2), Softmax]
public partial class TorchBatchNorm;
#pragma warning restore NN0011, NN0020

[Input(5)]
[Affine(7), ReLU]
[Affine(3), Softmax]
public partial class TorchMatMul;

/// <summary>samples/PyTorch/train_fashion.py's model: nn.Sequential(Flatten, Linear(784, 100), ReLU, Linear(100, 10)).</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class TorchFashion;

/// <summary>train_fashion.py's model declared one width wrong, as docs/interop.md shows.</summary>
[Input(28, 28)]
[Affine(128), ReLU]
[Affine(10), Softmax]
public partial class TorchFashionWrong;
