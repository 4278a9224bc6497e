#!/usr/bin/python3
"""Check a gokeras model file against PyTorch.

Loads the model file named by a fixture JSON (default: iris_mlp.json beside this
script, written by `GOKERAS_WRITE_INTEROP=1 go test ./tests -run Interop`) into
the same PyTorch architecture and compares PyTorch's predictions on the
fixture's inputs with Go's, within 1e-5.

The safetensors file is parsed by hand (python3-safetensors is not installed):
8 bytes of little-endian header length, the JSON header (tensor name -> dtype,
shape, data_offsets; "__metadata__" -> strings), then the raw little-endian
tensor data. gokeras keeps the architecture as JSON in the metadata key
"model_config". A Dense kernel is stored (in, out): torch.nn.Linear's weight is
its transpose.

Run by hand with Debian's Python, which has torch 1.13:

    /usr/bin/python3 tests/interop/check_torch.py [FIXTURE.json]

Exit status 0 when every value matches, 1 otherwise.
"""

import hashlib
import json
import os
import struct
import sys

import torch

TOL = 1e-5

DTYPES = {"F32": torch.float32, "F64": torch.float64}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header of {n} bytes runs past the end of the file")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        dt = DTYPES.get(info["dtype"])
        if dt is None:
            raise ValueError(f"{name}: dtype {info['dtype']} is not supported")
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"{name}: data offsets {begin}..{end} outside the data ({len(data)} bytes)")
        buf = bytearray(data[begin:end])
        if sys.byteorder != "little":
            raise ValueError("this script needs a little-endian machine")
        t = torch.frombuffer(buf, dtype=dt) if buf else torch.empty(0, dtype=dt)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, meta


def activation(name):
    acts = {
        "linear": None,
        "relu": torch.nn.ReLU(),
        "sigmoid": torch.nn.Sigmoid(),
        "tanh": torch.nn.Tanh(),
        "softmax": torch.nn.Softmax(dim=-1),
    }
    if name not in acts:
        raise ValueError(f"activation {name!r} has no PyTorch mapping here")
    return acts[name]


def build_torch(tensors, meta):
    """Builds a torch.nn.Sequential from gokeras' model_config and its weights."""
    cfg = json.loads(meta["model_config"])
    if cfg.get("class_name") != "Sequential":
        raise ValueError(f"model class {cfg.get('class_name')!r} is not supported")
    dtype = {"float32": torch.float32, "float64": torch.float64}[cfg["dtype"]]
    mods, lines, width, used = [], [], None, set()
    for layer in cfg["layers"]:
        cls, name, c = layer["class_name"], layer["name"], layer["config"]
        if cls == "InputLayer":
            if len(c["shape"]) != 1:
                raise ValueError(f"input shape {c['shape']}: only flat inputs are supported")
            width = c["shape"][0]
            lines.append(f"{name}: input ({width})")
        elif cls == "Dense":
            kernel = tensors[f"{name}/kernel"]
            if tuple(kernel.shape) != (width, c["units"]):
                raise ValueError(f"{name}/kernel is {tuple(kernel.shape)}, want ({width}, {c['units']})")
            lin = torch.nn.Linear(width, c["units"], bias=c["use_bias"], dtype=dtype)
            with torch.no_grad():
                lin.weight.copy_(kernel.t())
                if c["use_bias"]:
                    lin.bias.copy_(tensors[f"{name}/bias"])
                    used.add(f"{name}/bias")
            used.add(f"{name}/kernel")
            mods.append(lin)
            act = activation(c["activation"])
            if act is not None:
                mods.append(act)
            lines.append(f"{name}: Dense {width}->{c['units']} {c['activation']} -> "
                         f"nn.Linear(weight = kernel.T {tuple(lin.weight.shape)})"
                         + (f" + {type(act).__name__}" if act is not None else ""))
            width = c["units"]
        elif cls == "Activation":
            act = activation(c["activation"])
            if act is not None:
                mods.append(act)
            lines.append(f"{name}: {c['activation']}")
        elif cls == "Dropout":
            mods.append(torch.nn.Dropout(c["rate"]))
            lines.append(f"{name}: Dropout({c['rate']}) (off in eval mode)")
        else:
            raise ValueError(f"layer {name}: class {cls} is not supported by this script")
    left = sorted(set(tensors) - used)
    if left:
        lines.append(f"tensors not used (optimizer state?): {left}")
    model = torch.nn.Sequential(*mods)
    model.eval()
    return model, dtype, lines


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    fixture_path = argv[1] if len(argv) > 1 else os.path.join(here, "iris_mlp.json")
    with open(fixture_path) as f:
        fix = json.load(f)
    model_path = os.path.join(os.path.dirname(os.path.abspath(fixture_path)), fix["model"])
    with open(model_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    tensors, meta = read_safetensors(model_path)
    model, dtype, lines = build_torch(tensors, meta)

    n, d = fix["inputs"]["shape"]
    x = torch.tensor(fix["inputs"]["data"], dtype=torch.float64).reshape(n, d).to(dtype)
    go = torch.tensor(fix["outputs"]["data"], dtype=torch.float64).reshape(fix["outputs"]["shape"])
    with torch.no_grad():
        y = model(x).to(torch.float64)
    diff = (y - go).abs()
    worst = diff.max().item()
    row, col = divmod(int(diff.argmax().item()), go.shape[1])
    same_class = int((y.argmax(dim=1) == go.argmax(dim=1)).sum().item())
    ok = worst <= TOL and y.shape == go.shape

    print(f"python {sys.version.split()[0]}, torch {torch.__version__}")
    print(f"model file: {os.path.basename(model_path)} (sha256 {digest[:16]}..., "
          f"gokeras format {meta.get('format_version')}, dtype {dtype})")
    for line in lines:
        print("  " + line)
    print(f"inputs: {n} rows of {d}; Go test accuracy recorded: {fix.get('test_accuracy')}")
    print(f"max |torch - go| = {worst:.3g} at row {row}, output {col} "
          f"(torch {y[row, col].item():.9g}, go {go[row, col].item():.9g}); tolerance {TOL:g}")
    print(f"argmax agrees on {same_class}/{n} rows")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
