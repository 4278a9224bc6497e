#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' recurrent layers.

Run from the repository root with Debian's PyTorch (1.13):

    /usr/bin/python3 tests/testdata/torch_rnn/make_fixtures.py

Writes rnn.json next to this script (see README.md). PyTorch's weights are mapped to
Keras' layout: kernel = W_ih^T, recurrent_kernel = W_hh^T; the gate blocks are put
in Keras' order (LSTM: PyTorch i,f,g,o is Keras i,f,c,o; GRU: PyTorch r,z,n becomes
Keras z,r,h); SimpleRNN and LSTM have one bias b_ih + b_hh, GRU (reset_after) the
two biases as rows of a (2, 3·units) bias. Gradients are mapped the same way (the
gradient of the summed bias is the gradient of either PyTorch bias).
"""
import json
import os

import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(20261130)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261130)


def arr(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    return np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)


def perm(kind, units):
    """Row order taking PyTorch's gate blocks to Keras'."""
    if kind == "GRU":
        blocks = [1, 0, 2]
    else:
        blocks = list(range({"SimpleRNN": 1, "LSTM": 4}[kind]))
    return np.concatenate([np.arange(b * units, (b + 1) * units) for b in blocks])


def keras_weights(kind, units, mod, sfx, grad=False):
    def get(name):
        p = getattr(mod, name + sfx)
        v = p.grad if grad else p
        return v.detach().numpy()
    p = perm(kind, units)
    k = get("weight_ih_l0")[p].T
    r = get("weight_hh_l0")[p].T
    bi, bh = get("bias_ih_l0")[p], get("bias_hh_l0")[p]
    if kind == "GRU":
        b = np.stack([bi, bh])
    elif grad:
        b = bi  # d(b_ih + b_hh) = d b_ih = d b_hh
    else:
        b = bi + bh
    return [arr(k), arr(r), arr(b)]


def case(name, kind, units, batch, steps, feat, bidirectional=False, return_sequences=True, merge_mode="concat"):
    cls = {"SimpleRNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind]
    kw = {"nonlinearity": "tanh"} if kind == "SimpleRNN" else {}
    mod = cls(feat, units, batch_first=True, bidirectional=bidirectional, **kw)
    with torch.no_grad():
        for p in mod.parameters():
            p.copy_(torch.tensor(rnd(-0.6, 0.6, *p.shape)))
    x = torch.tensor(rnd(-2, 2, batch, steps, feat), requires_grad=True)
    out, _ = mod(x)
    if bidirectional:
        fwd, bwd = out[..., :units], out[..., units:]
        if not return_sequences:
            # Keras' last output of the backward layer is its output at step 0
            fwd, bwd = fwd[:, -1], bwd[:, 0]
        y = {"concat": lambda: torch.cat([fwd, bwd], dim=-1), "sum": lambda: fwd + bwd}[merge_mode]()
    else:
        y = out if return_sequences else out[:, -1]
    up = torch.tensor(rnd(-1, 1, *y.shape))
    (y * up).sum().backward()
    sfxs = ["", "_reverse"] if bidirectional else [""]
    weights, grads = [], []
    for s in sfxs:
        weights += keras_weights(kind, units, mod, s)
        grads += keras_weights(kind, units, mod, s, grad=True)
    return {"name": name, "kind": kind, "units": units, "bidirectional": bidirectional,
            "merge_mode": merge_mode, "return_sequences": return_sequences,
            "x": arr(x), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad),
            "weights": weights, "dweights": grads}


cases = [
    case("simple rnn tanh sequences", "SimpleRNN", 3, 2, 4, 3),
    case("lstm sequences", "LSTM", 3, 2, 5, 2),
    case("lstm last output", "LSTM", 4, 3, 3, 2, return_sequences=False),
    case("gru reset_after sequences", "GRU", 3, 2, 4, 3),
    case("gru reset_after last output", "GRU", 2, 2, 3, 2, return_sequences=False),
    case("bidirectional lstm concat", "LSTM", 2, 2, 4, 3, bidirectional=True),
    case("bidirectional gru concat last", "GRU", 2, 2, 3, 2, bidirectional=True, return_sequences=False),
    case("bidirectional simple rnn sum", "SimpleRNN", 3, 2, 3, 2, bidirectional=True, merge_mode="sum"),
]
with open(os.path.join(OUT_DIR, "rnn.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote %d cases" % len(cases))
