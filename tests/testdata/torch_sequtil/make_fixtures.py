#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' sequence utility layers.

Run from the repository root with Debian's PyTorch (1.13):

    /usr/bin/python3 tests/testdata/torch_sequtil/make_fixtures.py

Writes sequtil.json next to this script. Every array is {"shape": [...], "data":
[flat row-major]}. The layernorm and gelu cases are float32: their input x, the
upstream gradient, the forward output y and the gradients of sum(y * upstream)
with respect to x (and, for layernorm, gamma and beta). The sinusoidal case is
the (steps, dim) encoding of "Attention is all you need" computed in float64.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261130)


def arr(t, dtype=np.float32):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=dtype)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    return np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)


def layernorm(name, shape, eps):
    c = shape[-1]
    x = torch.tensor(rnd(-3, 3, *shape), requires_grad=True)
    ln = torch.nn.LayerNorm(c, eps=eps)
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(rnd(0.5, 1.5, c)))
        ln.bias.copy_(torch.tensor(rnd(-0.5, 0.5, c)))
    y = ln(x)
    up = torch.tensor(rnd(-1, 1, *y.shape))
    (y * up).sum().backward()
    return {"name": name, "op": "layernorm", "epsilon": eps, "x": arr(x), "gamma": arr(ln.weight),
            "beta": arr(ln.bias), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad),
            "dgamma": arr(ln.weight.grad), "dbeta": arr(ln.bias.grad)}


def gelu(name, approximate):
    x = torch.tensor(rnd(-4, 4, 5, 6), requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    up = torch.tensor(rnd(-1, 1, *y.shape))
    (y * up).sum().backward()
    return {"name": name, "op": "gelu", "approximate": approximate, "x": arr(x), "upstream": arr(up),
            "y": arr(y), "dx": arr(x.grad)}


def sinusoidal(steps, dim):
    pos = torch.arange(steps, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * (-math.log(10000.0) / dim))
    pe = torch.zeros(steps, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div[: dim // 2])
    return {"name": "sinusoidal %dx%d" % (steps, dim), "op": "sinusoidal", "y": arr(pe, np.float64)}


cases = [
    layernorm("layernorm 2d eps 1e-5", (4, 6), 1e-5),
    layernorm("layernorm 3d eps 1e-3", (2, 3, 5), 1e-3),
    gelu("gelu exact", "none"),
    gelu("gelu tanh", "tanh"),
    sinusoidal(7, 6),
    sinusoidal(5, 5),
]
with open(os.path.join(OUT_DIR, "sequtil.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", len(cases), "cases, torch", torch.__version__)
