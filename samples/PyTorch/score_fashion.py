#!/usr/bin/python3
"""PyTorch's scores for a Fashion-MNIST MLP state_dict on the 10,000 test images, for comparing Nn's with them.

    /usr/bin/python3 samples/PyTorch/score_fashion.py <weights.safetensors> <scores.bin> [data folder]

The model is train_fashion.py's: nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)), pixels x / 255.
Writes the scores as float32 little-endian [10000 × 10]. Needs Debian's python3-torch and python3-numpy (no safetensors package:
the file is read by the 10 lines below).
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

weights, out = sys.argv[1], sys.argv[2]
data = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
torch.set_num_threads(1)


def load_file(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    header.pop("__metadata__", None)
    base = 8 + length
    return {name: torch.from_numpy(np.frombuffer(raw[base + t["data_offsets"][0]:base + t["data_offsets"][1]], dtype="<f4").reshape(t["shape"]).copy())
            for name, t in header.items()}


with gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")) as f:
    raw = f.read()
images = torch.tensor(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(10000, 1, 28, 28), dtype=torch.float32) / 255
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
model.load_state_dict(load_file(weights))
model.eval()
with torch.no_grad():
    scores = model(images)
with open(out, "wb") as f:
    f.write(scores.numpy().astype("<f4").tobytes())
print(f"wrote {out}: scores of {weights} on 10,000 test images")
