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

/// <summary>CS231n's first figure: 3 inputs, 4 hidden, 2 outputs.</summary>
[Input(3)]
[Affine(4), ReLU]
[Affine(2)]
public partial class FigureOneNet;

/// <summary>CS231n's second figure: 3 inputs, 4, 4 hidden, 1 output.</summary>
[Input(3)]
[Affine(4), ReLU]
[Affine(4), ReLU]
[Affine(1)]
public partial class FigureTwoNet;

/// <summary>Hidden activations too large for the stack: exercises the per-thread workspace.</summary>
[Input(32, 32, 3)]
[Affine(1200), ReLU]
[Affine(10), Softmax]
public partial class WideNet;
