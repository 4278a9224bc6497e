#!/usr/bin/python3
"""Generate the PyTorch fixtures of interop.Load's automatic mapping.

Run from the repository root with Debian's PyTorch (1.13):

    /usr/bin/python3 interop/testdata/torch_layers/make_fixtures.py

Writes layers.json next to this script (see README.md): for each case, one small
torch module (fixed seed, float64, eval mode) with its state dict as PyTorch holds
it (names in order, shapes, values; num_batches_tracked included), its inputs and
its output. Inputs and outputs are given in gokeras' layout (channels last: a
Conv2d input (N, C, H, W) is written (N, H, W, C)); the state dict stays in
PyTorch's layout, for interop.Load to convert.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(20261130)
torch.set_default_dtype(torch.float64)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261130)


def arr(t, perm=None):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t)
    if perm is not None:
        a = a.transpose(perm)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    return torch.tensor(RNG.uniform(lo, hi, size=shape))


def randomize(mod):
    with torch.no_grad():
        for name, p in mod.named_parameters():
            p.copy_(rnd(-0.6, 0.6, *p.shape))
        for name, b in mod.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(rnd(-0.5, 0.5, *b.shape))
            elif name.endswith("running_var"):
                b.copy_(rnd(0.5, 1.5, *b.shape))
            elif name.endswith("num_batches_tracked"):
                b.fill_(17)
    mod.eval()
    return mod


def state(mod):
    out = []
    for name, t in mod.state_dict().items():
        out.append({"name": name, "dtype": str(t.dtype).replace("torch.", ""),
                    "shape": [int(s) for s in t.shape], "data": [float(v) for v in t.reshape(-1).tolist()]})
    return out


def case(name, mod, inputs, run, in_perm=None, out_perm=None, config=None):
    randomize(mod)
    with torch.no_grad():
        y = run(mod, *inputs)
    return {"name": name, "module": repr(mod), "config": config or {},
            "state_dict": state(mod),
            "inputs": [arr(x, in_perm) for x in inputs],
            "output": arr(y, out_perm)}


def rnn_out(mod, x):
    return mod(x)[0]


def mha_self(mod, x):
    return mod(x, x, x, need_weights=False)[0]


def mha_cross(mod, q, kv):
    return mod(q, kv, kv, need_weights=False)[0]


def main():
    print("torch", torch.__version__)
    seq = lambda b, t, f: rnd(-1.5, 1.5, b, t, f)
    cases = [
        case("linear", nn.Linear(4, 3), [rnd(-1, 1, 2, 4)], lambda m, x: m(x)),
        case("linear_no_bias", nn.Linear(4, 3, bias=False), [rnd(-1, 1, 2, 4)], lambda m, x: m(x)),
        case("conv1d", nn.Conv1d(3, 4, 3, stride=2), [rnd(-1, 1, 2, 3, 9)], lambda m, x: m(x),
             in_perm=(0, 2, 1), out_perm=(0, 2, 1), config={"stride": 2, "padding": 0}),
        case("conv2d", nn.Conv2d(2, 4, 3, stride=2, padding=1), [rnd(-1, 1, 2, 2, 7, 7)], lambda m, x: m(x),
             in_perm=(0, 2, 3, 1), out_perm=(0, 2, 3, 1), config={"stride": 2, "padding": 1}),
        case("batchnorm1d", nn.BatchNorm1d(5), [rnd(-2, 2, 3, 5)], lambda m, x: m(x)),
        case("batchnorm2d", nn.BatchNorm2d(3), [rnd(-2, 2, 2, 3, 4, 4)], lambda m, x: m(x),
             in_perm=(0, 2, 3, 1), out_perm=(0, 2, 3, 1)),
        case("layernorm", nn.LayerNorm(6), [rnd(-2, 2, 2, 3, 6)], lambda m, x: m(x)),
        case("embedding", nn.Embedding(10, 4), [torch.tensor([[1, 4, 9], [0, 2, 2]])], lambda m, x: m(x)),
        case("lstm", nn.LSTM(3, 4, batch_first=True), [seq(2, 5, 3)], rnn_out),
        case("lstm_2_layers", nn.LSTM(3, 4, num_layers=2, batch_first=True), [seq(2, 5, 3)], rnn_out),
        case("lstm_bidirectional", nn.LSTM(3, 4, batch_first=True, bidirectional=True), [seq(2, 5, 3)], rnn_out),
        case("gru", nn.GRU(3, 4, batch_first=True), [seq(2, 5, 3)], rnn_out),
        case("mha", nn.MultiheadAttention(6, 2, batch_first=True), [seq(2, 4, 6)], mha_self, config={"heads": 2}),
        case("mha_kdim_vdim", nn.MultiheadAttention(6, 2, kdim=5, vdim=5, batch_first=True),
             [seq(2, 3, 6), seq(2, 4, 5)], mha_cross, config={"heads": 2}),
        case("transformer", nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
             [seq(2, 5, 8)], lambda m, x: m(x), config={"heads": 2, "ffn": 16, "norm_first": False}),
        case("transformer_norm_first", nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True),
             [seq(2, 5, 8)], lambda m, x: m(x), config={"heads": 2, "ffn": 16, "norm_first": True}),
    ]
    obj = {"description": "torch modules (float64, eval) with their state dicts, inputs and outputs in gokeras' "
           "layout (channels last), for interop.Load; torch " + torch.__version__,
           "cases": cases}
    path = os.path.join(OUT_DIR, "layers.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes, %d cases)" % (path, os.path.getsize(path), len(cases)))


if __name__ == "__main__":
    main()
