#!/usr/bin/python3
"""Writes the ONNX fixtures of OnnxImportTests with PyTorch (Debian's python3-torch) and, for the float16 copy, python3-onnx.

Run from this folder: /usr/bin/python3 make_fixtures.py
Each model NAME gives NAME-opsetK.onnx, and NAME.expected.txt: the input (one sample per line) and PyTorch's outputs for it.
"""
import torch
from torch import nn

torch.manual_seed(7)


class MatMulAdd(nn.Module):
    """x @ W + b with W stored [in × out]: torch.onnx.export writes MatMul then Add, not Gemm."""

    def __init__(self, inputs, outputs):
        super().__init__()
        self.w = nn.Parameter(torch.randn(inputs, outputs) * 0.3)
        self.b = nn.Parameter(torch.randn(outputs) * 0.1)

    def forward(self, x):
        return x @ self.w + self.b


models = {
    # [Input(3, 4)] [Affine(8), ReLU] [Affine(5), LeakyReLU(0.1)] [Affine(3), Softmax]
    "mlp": (nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 5), nn.LeakyReLU(0.1), nn.Linear(5, 3),
                          nn.Softmax(dim=1)), (3, 4)),
    # [Input(6)] [Affine(16), BatchNorm(Epsilon = 1e-3), Tanh, Dropout(0.2)] [Affine(4), Sigmoid] [Affine(2)]
    "batchnorm": (nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16, eps=1e-3), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 4),
                                nn.Sigmoid(), nn.Linear(4, 2)), (6,)),
    # [Input(5)] [Affine(7), ReLU] [Affine(3)]
    "matmul": (nn.Sequential(MatMulAdd(5, 7), nn.ReLU(), MatMulAdd(7, 3)), (5,)),
}

for name, (model, shape) in models.items():
    if name == "batchnorm":
        # Move the running statistics far from 0 and 1 before exporting in eval mode.
        model.train()
        with torch.no_grad():
            for _ in range(30):
                model(torch.randn(32, *shape) * 3 + 2)
    model.eval()
    x = torch.randn(4, *shape) * 2 + 0.5
    with torch.no_grad():
        y = model(x)
    for opset in (13, 17):
        torch.onnx.export(model, torch.randn(2, *shape), f"{name}-opset{opset}.onnx", opset_version=opset,
                          input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    with open(f"{name}.expected.txt", "w") as f:
        for row in x.reshape(4, -1).tolist():
            f.write("x " + " ".join(repr(v) for v in row) + "\n")
        for row in y.tolist():
            f.write("y " + " ".join(repr(v) for v in row) + "\n")

# The mlp with float16 weights and values: every initializer and the graph's input and output converted.
import numpy as np
import onnx
from onnx import numpy_helper, TensorProto

m = onnx.load("mlp-opset17.onnx")
for i, t in enumerate(m.graph.initializer):
    m.graph.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
for v in list(m.graph.input) + list(m.graph.output):
    v.type.tensor_type.elem_type = TensorProto.FLOAT16
onnx.save(m, "mlp-float16.onnx")
