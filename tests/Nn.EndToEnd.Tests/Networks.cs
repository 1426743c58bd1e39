using Nn;

namespace Nn.EndToEnd.Tests;

/// <summary>CS231n's softmax linear classifier for the spiral.</summary>
[Input(2)]
[Affine(3), Softmax]
public partial class LinearNet;

/// <summary>CS231n's two-layer spiral network.</summary>
[Input(2)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class SpiralNet;

/// <summary>Double precision, three layers, a 2-D input: the gradient-check subject.</summary>
[Input(2, 3, Precision = Precision.Double)]
[Affine(7), ReLU]
[Affine(5), ReLU]
[Affine(4), Softmax]
public partial class CheckNet;

/// <summary>Same, but the output layer is linear into the head, and there is a linear hidden layer.</summary>
[Input(5, Precision = Precision.Double)]
[Affine(6)]
[Affine(6), ReLU]
[Affine(3), Softmax]
public partial class CheckLinearHiddenNet;

#pragma warning disable NN0020 // reason: the notes' figures use sigmoid hidden layers
/// <summary>CS231n's first figure: 3 inputs, 4 hidden, 2 outputs.</summary>
[Input(3)]
[Affine(4), Sigmoid]
[Affine(2)]
public partial class FigureOneNet;

/// <summary>CS231n's second figure: 3 inputs, 4, 4 hidden, 1 output.</summary>
[Input(3)]
[Affine(4), Sigmoid]
[Affine(4), Sigmoid]
[Affine(1)]
public partial class FigureTwoNet;
#pragma warning restore NN0020

/// <summary>The notes' CIFAR-10 example: 32×32×3 images, 100 hidden units, 10 classes.</summary>
[Input(32, 32, 3)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class Cifar10Net;

/// <summary>Hidden activations too large for the stack: exercises the per-thread workspace.</summary>
[Input(32, 32, 3)]
[Affine(1200), ReLU]
[Affine(10), Softmax]
public partial class WideNet;

// ── Gradient-check subjects: every activation and every head, in double and in float ──
#pragma warning disable NN0020 // reason: the sigmoid hidden layer is what this network checks
/// <summary>Sigmoid hidden layer, softmax head.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(5), Sigmoid]
[Affine(3), Softmax]
public partial class SigmoidSoftmaxNet;

/// <summary>Float twin of <see cref="SigmoidSoftmaxNet"/>.</summary>
[Input(4)]
[Affine(5), Sigmoid]
[Affine(3), Softmax]
public partial class SigmoidSoftmaxNetF;
#pragma warning restore NN0020

/// <summary>Tanh hidden layer, multiclass SVM head.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(5), Tanh]
[Affine(3), Svm]
public partial class TanhSvmNet;

/// <summary>Float twin of <see cref="TanhSvmNet"/>.</summary>
[Input(4)]
[Affine(5), Tanh]
[Affine(3), Svm]
public partial class TanhSvmNetF;

/// <summary>LeakyReLU hidden layer, logistic head.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(5), LeakyReLU(0.1)]
[Affine(1), Logistic]
public partial class LeakyLogisticNet;

/// <summary>Float twin of <see cref="LeakyLogisticNet"/>.</summary>
[Input(4)]
[Affine(5), LeakyReLU(0.1)]
[Affine(1), Logistic]
public partial class LeakyLogisticNetF;

/// <summary>Maxout hidden layer, binary SVM head.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(6), Maxout(3)]
[Affine(1), Svm]
public partial class MaxoutBinarySvmNet;

/// <summary>Float twin of <see cref="MaxoutBinarySvmNet"/>.</summary>
[Input(4)]
[Affine(6), Maxout(3)]
[Affine(1), Svm]
public partial class MaxoutBinarySvmNetF;

#pragma warning disable NN0011 // reason: two stacked activations are what this network checks
/// <summary>Stacked ReLU + Tanh, and a Maxout output layer under the softmax.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(5), ReLU, Tanh]
[Affine(6), Maxout(2), Softmax]
public partial class StackedMaxoutHeadNet;

/// <summary>Float twin of <see cref="StackedMaxoutHeadNet"/>.</summary>
[Input(4)]
[Affine(5), ReLU, Tanh]
[Affine(6), Maxout(2), Softmax]
public partial class StackedMaxoutHeadNetF;
#pragma warning restore NN0011

/// <summary>Regression: tanh hidden layer, mean squared error on two outputs.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(5), Tanh]
[Affine(2), MeanSquaredError]
public partial class RegressionNet;

/// <summary>Float twin of <see cref="RegressionNet"/>.</summary>
[Input(4)]
[Affine(5), Tanh]
[Affine(2), MeanSquaredError]
public partial class RegressionNetF;

/// <summary>The Fashion-MNIST network of the sample.</summary>
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionTestNet;

/// <summary>The two-layer spiral net in double precision, to follow NumPy's float64 run step by step.</summary>
[Input(2, Precision = Precision.Double)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class SpiralNetDouble;
