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

// ── BatchNorm and Dropout: gradient-check subjects in double and float, and their plain twins ──

/// <summary>BatchNorm before a ReLU and before a Tanh: the BatchNorm gradient-check subject.</summary>
[Input(5, Precision = Precision.Double)]
[Affine(6), BatchNorm, ReLU]
[Affine(4), BatchNorm, Tanh]
[Affine(3), Softmax]
public partial class BatchNormCheckNet;

/// <summary>Float twin of <see cref="BatchNormCheckNet"/>.</summary>
[Input(5)]
[Affine(6), BatchNorm, ReLU]
[Affine(4), BatchNorm, Tanh]
[Affine(3), Softmax]
public partial class BatchNormCheckNetF;

/// <summary>Dropout after a ReLU and after a Tanh (whose backward pass undoes the dropout's scaling first).</summary>
[Input(5, Precision = Precision.Double)]
[Affine(6), ReLU, Dropout(0.5)]
[Affine(4), Tanh, Dropout(0.25)]
[Affine(3), Softmax]
public partial class DropoutCheckNet;

/// <summary>Float twin of <see cref="DropoutCheckNet"/>.</summary>
[Input(5)]
[Affine(6), ReLU, Dropout(0.5)]
[Affine(4), Tanh, Dropout(0.25)]
[Affine(3), Softmax]
public partial class DropoutCheckNetF;

/// <summary><see cref="DropoutCheckNet"/> without its Dropout attributes: the same parameters, the same inference.</summary>
[Input(5, Precision = Precision.Double)]
[Affine(6), ReLU]
[Affine(4), Tanh]
[Affine(3), Softmax]
public partial class DropoutTwinNet;

/// <summary>BatchNorm and Dropout together; <see cref="BatchNormCheckNet"/> is the same network without the Dropout.</summary>
[Input(5, Precision = Precision.Double)]
[Affine(6), BatchNorm, ReLU, Dropout(0.3)]
[Affine(4), BatchNorm, Tanh, Dropout(0.2)]
[Affine(3), Softmax]
public partial class BatchNormDropoutCheckNet;

/// <summary>Float twin of <see cref="BatchNormDropoutCheckNet"/>.</summary>
[Input(5)]
[Affine(6), BatchNorm, ReLU, Dropout(0.3)]
[Affine(4), BatchNorm, Tanh, Dropout(0.2)]
[Affine(3), Softmax]
public partial class BatchNormDropoutCheckNetF;

/// <summary>BatchNorm with its defaults and with both options set: the running-statistics subject.</summary>
[Input(4, Precision = Precision.Double)]
[Affine(6), BatchNorm, ReLU]
[Affine(5), BatchNorm(Momentum = 0.8, Epsilon = 1e-3), Tanh]
[Affine(3), Softmax]
public partial class BatchNormOptionsNet;

/// <summary>BatchNorm and Dropout in float, wide enough that a batch's activations go to the per-thread workspace.</summary>
[Input(32)]
[Affine(300), BatchNorm, ReLU, Dropout(0.5)]
[Affine(100), BatchNorm, Tanh, Dropout(0.25)]
[Affine(10), Softmax]
public partial class BatchNormDropoutNet;

/// <summary>The spiral network with batch normalization: early stopping must restore its running statistics too.</summary>
[Input(2)]
[Affine(50), BatchNorm, ReLU]
[Affine(3), Softmax]
public partial class BatchNormSpiralNet;

/// <summary>FashionTestNet with its input written flattened: the same tensors, so the same weights files.</summary>
[Input(784)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FlatFashionTestNet;

/// <summary>The same tensors as FashionTestNet but another head: its files are not FashionTestNet's.</summary>
[Input(784)]
[Affine(100), ReLU]
[Affine(10), Svm]
public partial class SvmFashionTestNet;
