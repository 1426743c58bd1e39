#!/usr/bin/python3
"""PyTorch side of Nn's PyTorch-weights tests (tests/Nn.EndToEnd.Tests/PyTorchWeightsTests.cs).

Needs Debian's python3-torch (apt-get install -y python3-torch python3-numpy). Files are written and read with
safetensors.torch.save_file / load_file when the safetensors package is installed; Debian has no package for it, so
otherwise with the small writer and reader below, which follow the format's specification (sorted names, data in name
order, {"format": "pt"} metadata, header padded with spaces to 8 bytes).

  torch_weights.py fixtures DIR       writes the committed fixtures: one MLP in F32, F16, BF16 and F64, the same with
                                      named modules (fc1, fc2, out), a BatchNorm model, and expected.json with the scores
  torch_weights.py export FILE JSON   writes the BatchNorm model's state_dict to FILE, its inputs and scores to JSON
  torch_weights.py score FILE IN OUT  loads FILE into the BatchNorm model (load_state_dict, strict) and writes its scores
                                      for IN's inputs to OUT
"""
import json
import struct
import sys

import torch
from torch import nn

try:
    from safetensors.torch import load_file, save_file
except ImportError:
    DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int64: "I64"}

    def save_file(tensors, path, metadata=None):
        header, data, offset = {}, [], 0
        for name in sorted(tensors):
            t = tensors[name].detach().contiguous().cpu()
            raw = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
            header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
            data.append(raw)
            offset += len(raw)
        header["__metadata__"] = metadata or {"format": "pt"}
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-(len(text) + 8) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(data))

    def load_file(path):
        by_name = {v: k for k, v in DTYPES.items()}
        with open(path, "rb") as f:
            blob = f.read()
        (n,) = struct.unpack("<Q", blob[:8])
        header = json.loads(blob[8:8 + n])
        header.pop("__metadata__", None)
        data = blob[8 + n:]
        out = {}
        for name, info in header.items():
            begin, end = info["data_offsets"]
            raw = bytearray(data[begin:end])
            dtype = by_name[info["dtype"]]
            out[name] = torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(info["shape"]).clone() if raw else \
                torch.zeros(info["shape"], dtype=dtype)
        return out


def mlp():
    # Nn: [Input(6)] [Affine(8), ReLU] [Affine(5), Tanh] [Affine(3), Softmax]
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 3))


class Named(nn.Module):
    # The same network with named modules: its state_dict has fc1.weight, fc2.weight, out.weight, …
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(6, 8), nn.Linear(8, 5), nn.Linear(5, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.relu(self.fc1(x)))))


def batch_norm_model():
    # Nn: [Input(6)] [Affine(8), BatchNorm, ReLU] [Affine(5), Tanh] [Affine(3), Softmax]
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        model[1].weight.uniform_(0.5, 1.5)
        model[1].bias.uniform_(-0.5, 0.5)
    model.train()
    for _ in range(5):   # running statistics far from their initial 0 and 1
        model(torch.randn(32, 6) * 3 + 1)
    return model.eval()


def inputs():
    torch.manual_seed(11)
    return torch.randn(10, 6, dtype=torch.float64) * 2


def scores(model, x):
    with torch.no_grad():
        return model.double()(x).tolist()


def fixtures(directory):
    x = inputs()
    expected = {"x": x.tolist()}
    for dtype, name in [(torch.float32, "f32"), (torch.float16, "f16"), (torch.bfloat16, "bf16"), (torch.float64, "f64")]:
        torch.manual_seed(3)
        model = mlp().to(dtype)
        save_file(model.state_dict(), f"{directory}/mlp-{name}.safetensors")
        expected[f"mlp-{name}"] = scores(model, x)   # the weights as stored, computed in float64
    torch.manual_seed(5)
    named = Named()
    save_file(named.state_dict(), f"{directory}/mlp-named.safetensors")
    expected["mlp-named"] = scores(named, x)
    model = batch_norm_model()
    save_file(model.state_dict(), f"{directory}/batchnorm-f32.safetensors")
    expected["batchnorm-f32"] = scores(model, x)
    with open(f"{directory}/expected.json", "w") as f:
        json.dump(expected, f)


def export(path, out):
    model = batch_norm_model()
    x = inputs().float()
    save_file(model.state_dict(), path)
    with torch.no_grad():
        json.dump({"x": x.tolist(), "scores": model(x).tolist()}, open(out, "w"))


def score(path, given, out):
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 3))
    model.load_state_dict(load_file(path))   # strict: every key present, no extra, every shape equal
    model.eval()
    x = torch.tensor(json.load(open(given))["x"], dtype=torch.float32)
    with torch.no_grad():
        json.dump({"scores": model(x).tolist()}, open(out, "w"))


if __name__ == "__main__":
    {"fixtures": fixtures, "export": export, "score": score}[sys.argv[1]](*sys.argv[2:])
