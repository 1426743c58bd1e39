#!/usr/bin/python3
"""Trains a Fashion-MNIST MLP in PyTorch and writes what Nn loads: safetensors (PyTorch's state_dict layout) and ONNX.

    /usr/bin/python3 samples/PyTorch/train_fashion.py [out folder] [epochs] [data folder]

Needs Debian's python3-torch and python3-numpy, and dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/). Writes, in the
out folder (default samples/PyTorch/out):
  fashion-torch.safetensors  the state_dict (keys 1.weight, 1.bias, 3.weight, 3.bias; weights [out × in], float32)
  fashion-torch.onnx         torch.onnx.export of the same model, opset 17, input x [N × 1 × 28 × 28], output scores [N × 10]
  fashion-torch-scores.bin   PyTorch's scores on the 10,000 test images, float32 little-endian [10000 × 10]
The matching Nn declaration is [Input(28, 28)] [Affine(100), ReLU] [Affine(10), Softmax]; pixels are scaled to [0, 1] (x / 255)
on both sides and nothing else, so that C# needs no standardizer to give the same scores.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
data = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
os.makedirs(out, exist_ok=True)
torch.manual_seed(1)
torch.set_num_threads(1)   # the same bits on every run


def idx(name):
    with gzip.open(os.path.join(data, name)) as f:
        raw = f.read()
    zero, kind, dims = struct.unpack(">HBB", raw[:4])
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


train_x = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
train_y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
test_x = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
test_y = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)

# Flatten has no weights: the Linear layers are modules 1 and 3, so the state_dict keys are 1.weight, 1.bias, 3.weight, 3.bias.
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss = nn.CrossEntropyLoss()
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(train_x))
    for start in range(0, len(order), 64):
        batch = order[start:start + 64]
        optimizer.zero_grad()
        value = loss(model(train_x[batch]), train_y[batch])
        value.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    print(f"epoch {epoch + 1}: loss {value.item():.4f}, test accuracy {accuracy:.4f}")


def save_safetensors(path, tensors):
    """safetensors.torch.save_file without the safetensors package (Debian has none): an 8-byte little-endian header length,
    the JSON header (dtype, shape, data_offsets per tensor, keys sorted), then the tensors' bytes in that order."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        blob = tensors[name].detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


save_safetensors(os.path.join(out, "fashion-torch.safetensors"), model.state_dict())
torch.onnx.export(model, test_x[:2], os.path.join(out, "fashion-torch.onnx"), opset_version=17,
                  input_names=["x"], output_names=["scores"], dynamic_axes={"x": {0: "N"}, "scores": {0: "N"}})
with torch.no_grad():
    scores = model(test_x)
with open(os.path.join(out, "fashion-torch-scores.bin"), "wb") as f:
    f.write(scores.numpy().astype("<f4").tobytes())
print(f"wrote {out}: fashion-torch.safetensors, fashion-torch.onnx, fashion-torch-scores.bin "
      f"(test accuracy {(scores.argmax(1) == test_y).float().mean().item():.4f})")
