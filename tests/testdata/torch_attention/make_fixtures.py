#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' MultiHeadAttention and
TimeDistributed(Dense).

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_attention/make_fixtures.py

Writes attention.json next to this script (see README.md). All computation is
float32; every array is {"shape": [...], "data": [flat row-major]}.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240917
RNG = np.random.default_rng(SEED)


def arr(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    return np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)


def proj_weights(m, dq, dv):
    """The (weight (E, d_in), bias (E,)) tensors of the q, k, v projections."""
    E = m.embed_dim
    if m._qkv_same_embed_dim:
        w = m.in_proj_weight
        ws = [w[0:E], w[E:2 * E], w[2 * E:3 * E]]
    else:
        ws = [m.q_proj_weight, m.k_proj_weight, m.v_proj_weight]
    b = m.in_proj_bias
    bs = [b[0:E], b[E:2 * E], b[2 * E:3 * E]]
    return ws, bs


def keras_weights(m, heads, key_dim, grads=False):
    """The weights (or their gradients) in Keras' order and layout."""
    g = (lambda t: t.grad) if grads else (lambda t: t)
    E = m.embed_dim
    if m._qkv_same_embed_dim:
        w, b = g(m.in_proj_weight), g(m.in_proj_bias)
        ws = [w[0:E], w[E:2 * E], w[2 * E:3 * E]]
    else:
        w, b = None, g(m.in_proj_bias)
        ws = [g(m.q_proj_weight), g(m.k_proj_weight), g(m.v_proj_weight)]
    bs = [b[0:E], b[E:2 * E], b[2 * E:3 * E]]
    out = {}
    for name, wi, bi in zip(["query", "key", "value"], ws, bs):
        out[name + "/kernel"] = arr(wi.t().reshape(wi.shape[1], heads, key_dim))
        out[name + "/bias"] = arr(bi.reshape(heads, key_dim))
    ow, ob = g(m.out_proj.weight), g(m.out_proj.bias)
    out["output/kernel"] = arr(ow.t().reshape(heads, key_dim, ow.shape[0]))
    out["output/bias"] = arr(ob)
    return out


def mha_case(name, heads, key_dim, B, Tq, Tv, dv=None, self_attn=False, causal=False, key_mask=None, note=None):
    E = heads * key_dim
    dv = E if dv is None else dv
    kw = {} if dv == E else {"kdim": dv, "vdim": dv}
    m = nn.MultiheadAttention(E, heads, batch_first=True, **kw)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.tensor(rnd(-0.6, 0.6, *p.shape)))
    q = torch.tensor(rnd(-1, 1, B, Tq, E), requires_grad=True)
    v = q if self_attn else torch.tensor(rnd(-1, 1, B, Tv, dv), requires_grad=True)
    attn_mask = None
    if causal:
        attn_mask = torch.triu(torch.full((Tq, Tv), float("-inf")), diagonal=1)
    kpm = None
    if key_mask is not None:
        km = np.asarray(key_mask, dtype=np.float32)
        assert km.shape == (B, Tv) and (km.sum(axis=1) > 0).all()
        kpm = torch.tensor(km == 0)  # True: ignore
    y, w = m(q, v, v, key_padding_mask=kpm, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
    up = torch.tensor(rnd(-1, 1, *y.shape))
    (y * up).sum().backward()
    c = {"name": name, "heads": heads, "key_dim": key_dim, "self": self_attn, "causal": causal}
    if note:
        c["note"] = note
    c.update({
        "query": arr(q),
        "value": None if self_attn else arr(v),
        "key_mask": None if key_mask is None else arr(np.asarray(key_mask, dtype=np.float32)),
        "weights": keras_weights(m, heads, key_dim),
        "upstream": arr(up),
        "y": arr(y),
        "scores": arr(w),
        "grad_query": arr(q.grad),
        "grad_value": None if self_attn else arr(v.grad),
        "grad_weights": keras_weights(m, heads, key_dim, grads=True),
    })
    return c


def td_case(name, B, T, d, out):
    lin = nn.Linear(d, out)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(rnd(-0.8, 0.8, out, d)))
        lin.bias.copy_(torch.tensor(rnd(-0.5, 0.5, out)))
    x = torch.tensor(rnd(-1, 1, B, T, d), requires_grad=True)
    y = lin(x)
    up = torch.tensor(rnd(-1, 1, *y.shape))
    (y * up).sum().backward()
    return {"name": name, "x": arr(x), "kernel": arr(lin.weight.t()), "bias": arr(lin.bias),
            "upstream": arr(up), "y": arr(y), "grad_x": arr(x.grad),
            "grad_kernel": arr(lin.weight.grad.t()), "grad_bias": arr(lin.bias.grad)}


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    cases = [
        mha_case("self_attention", 2, 3, B=2, Tq=4, Tv=4, self_attn=True),
        mha_case("cross_attention", 2, 3, B=2, Tq=3, Tv=5, dv=4, note="Tq 3, Tv 5, value/key width 4 (kdim=vdim=4)"),
        mha_case("causal_self_attention", 2, 3, B=2, Tq=5, Tv=5, self_attn=True, causal=True),
        mha_case("key_padding_mask", 2, 3, B=3, Tq=3, Tv=5, dv=4,
                 key_mask=[[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 0, 0, 0, 1]],
                 note="key_mask 1 keep, 0 masked (torch key_padding_mask True)"),
    ]
    obj = {"description": "nn.MultiheadAttention(batch_first=True) mapped to Keras' MultiHeadAttention "
           "layout, and nn.Linear over steps (TimeDistributed(Dense)); grads of sum(y*upstream); float32, torch "
           + torch.__version__,
           "mha": cases,
           "time_distributed": [td_case("time_distributed_dense", B=2, T=3, d=4, out=5)]}
    path = os.path.join(OUT_DIR, "attention.json")
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
