#!/usr/bin/python3
"""Generate reference fixtures for gokeras' preprocessing layers.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_preprocess/make_fixtures.py

Writes preprocess.json next to this script, with three lists of cases:

- "normalization": Normalization adapted on some data. torch computes the
  per-feature mean and the population variance (unbiased=False) over every axis
  but the last, in float64 from the float32 data; a constant feature gets
  variance 1. Both are written as float64. The forward pass is float32, with the
  statistics cast to float32: y = (x - mean) / sqrt(variance), or with invert
  y = x * sqrt(variance) + mean; dx is the gradient of sum(y * upstream).
- "category": CategoryEncoding of integer ids, F.one_hot (then sum for "count",
  sum clamped at 1 for "multi_hot"), float32.
- "lookup": StringLookup. PyTorch has no counterpart: the expected vocabulary and
  ids are computed here in plain Python (a Counter, a sort and a dict); an
  out-of-vocabulary string gets bucket FNV-1a-64(utf-8 bytes) mod num_oov.

Every float array is {"shape": [...], "data": [flat row-major]}, each number the
exact float32 value written as a JSON double; integer arrays (ids) the same with
integer values.
"""
import collections
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240917
RNG = np.random.default_rng(SEED)


def arr(t):
    """Tensor/ndarray -> {"shape", "data"} with exact float32 values as JSON doubles."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def int_arr(a):
    """Integer ndarray -> {"shape", "data"} with integer values."""
    a = np.asarray(a, dtype=np.int64)
    return {"shape": [int(s) for s in a.shape], "data": [int(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    """Uniform values rounded to 4 decimals, as a float32 ndarray. lo and hi may be
    per-feature lists (broadcast over the last axis)."""
    return np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)


def moments(adapt):
    """Per-feature (last axis) mean and population variance in float64 over all the
    other axes; a variance of exactly 0 (a constant feature) becomes 1."""
    a = torch.tensor(adapt, dtype=DT).to(torch.float64)
    dims = tuple(range(a.dim() - 1))
    mean = a.mean(dim=dims)
    var = a.var(dim=dims, unbiased=False)
    var = torch.where(var == 0, torch.ones_like(var), var)
    return mean, var


def normalization(name, adapt, x, invert=False, note=None):
    mean, var = moments(adapt)
    m32, v32 = mean.to(DT), var.to(DT)
    xt = torch.tensor(x, dtype=DT, requires_grad=True)
    if invert:
        y = xt * torch.sqrt(v32) + m32
    else:
        y = (xt - m32) / torch.sqrt(v32)
    up = torch.tensor(rnd(-1.0, 1.0, *y.shape), dtype=DT)
    (y * up).sum().backward()
    c = {"name": name, "invert": invert}
    if note:
        c["note"] = note
    c.update({
        "adapt": arr(adapt),
        "mean": [float(v) for v in mean.tolist()],
        "variance": [float(v) for v in var.tolist()],
        "x": arr(x),
        "upstream": arr(up),
        "y": arr(y),
        "dx": arr(xt.grad),
    })
    return c


def normalization_cases():
    cases = []
    # rows: three features of different locations and scales. |mean|/sd stays about
    # 3 at most: gokeras computes x*(1/sd) + (-mean/sd) in float32, whose rounding
    # grows with |mean|/sd (about 1e-7 of it), while torch subtracts first.
    lo, hi = [-1.0, 2.0, -30.0], [1.0, 8.0, 10.0]
    adapt = rnd(lo, hi, 20, 3)
    x = rnd(lo, hi, 4, 3)
    cases.append(normalization("rows", adapt, x))
    # invert: the same statistics map standardized values back.
    z = rnd(-2.0, 2.0, 4, 3)
    cases.append(normalization("rows_invert", adapt, z, invert=True,
                               note="y = x*sqrt(variance) + mean with the statistics of rows"))
    # images: per-channel statistics of (10, 3, 3, 2) data, applied to (2, 3, 3, 2).
    ilo, ihi = [0.0, -5.0], [1.0, 5.0]
    cases.append(normalization("images_per_channel", rnd(ilo, ihi, 10, 3, 3, 2), rnd(ilo, ihi, 2, 3, 3, 2),
                               note="statistics over axes 0, 1, 2 (one per channel)"))
    # constant feature: column 1 is 2.5 in every adapt row, so its variance is 0 -> 1
    # and y = x - 2.5 there.
    cadapt = rnd([-1.0, 0.0, 0.0], [1.0, 1.0, 4.0], 20, 3)
    cadapt[:, 1] = np.float32(2.5)
    cx = rnd([-1.0, 0.0, 0.0], [1.0, 5.0, 4.0], 4, 3)
    cases.append(normalization("constant_feature", cadapt, cx,
                               note="feature 1 is constant (2.5) in the adapt data: variance 1, y = x - 2.5"))
    return cases


def category(name, mode, n, ids, note=None):
    t = torch.tensor(ids, dtype=torch.int64)
    if mode == "one_hot":
        if t.dim() == 2 and t.shape[1] == 1:
            t = t[:, 0]
        y = F.one_hot(t, n).to(DT)
    else:
        if t.dim() == 1:
            t = t[:, None]
        y = F.one_hot(t, n).sum(dim=1).to(DT)
        if mode == "multi_hot":
            y = y.clamp(max=1)
    c = {"name": name, "mode": mode, "num_tokens": n}
    if note:
        c["note"] = note
    c.update({"ids": int_arr(ids), "y": arr(y)})
    return c


def category_cases():
    n = 5
    rep = np.array([[1, 3, 1, 0], [4, 4, 4, 4], [2, 0, 3, 1], [0, 2, 2, 3]])
    return [
        category("one_hot_b1", "one_hot", n, RNG.integers(0, n, size=(4, 1)), note="(B,1) -> (B,n)"),
        category("one_hot_b", "one_hot", n, RNG.integers(0, n, size=(4,)), note="(B) -> (B,n)"),
        category("one_hot_b3", "one_hot", n, RNG.integers(0, n, size=(4, 3)), note="(B,3) -> (B,3,n)"),
        category("multi_hot", "multi_hot", n, rep, note="(B,4) -> (B,n); repeated ids count once"),
        category("count", "count", n, rep, note="(B,4) -> (B,n); repeated ids add up"),
    ]


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def lookup(name, num_oov, x, vocabulary=None, adapt=None, note=None):
    """The expected vocabulary (given, or learned from adapt: most frequent first,
    ties by increasing text) and the ids of x."""
    vocab = vocabulary
    if adapt is not None:
        counts = collections.Counter(adapt)
        vocab = [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    index = {v: num_oov + k for k, v in enumerate(vocab)}
    ids = [index[v] if v in index else fnv1a64(v) % num_oov for v in x]
    c = {"name": name, "num_oov": num_oov}
    if note:
        c["note"] = note
    if vocabulary is not None:
        c["vocabulary"] = vocabulary
    if adapt is not None:
        c["adapt"] = adapt
    c.update({"want_vocabulary": vocab, "x": x, "ids": ids})
    return c


def lookup_cases():
    x = ["green", "mauve", "red", "blue", "teal", "red", "", "green", "cyan", "Red"]
    adapt = ["b", "a", "c", "a", "b", "a", "d", "e", "e", "Z", "c", "aa"]
    return [
        lookup("given_oov1", 1, x, vocabulary=["red", "green", "blue"],
               note="unknown strings (mauve, teal, the empty string, cyan, Red) get id 0"),
        lookup("given_oov3", 3, x, vocabulary=["red", "green", "blue"],
               note="unknown strings get FNV-1a-64 mod 3"),
        lookup("adapt_oov1", 1, ["a", "b", "c", "e", "Z", "aa", "d", "zz"], adapt=adapt,
               note="a x3; b, c, e x2 (ties by text); Z, aa, d x1 (Z sorts before lowercase)"),
    ]


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    obj = {"description": "preprocessing layers: Normalization (torch float64 moments, float32 forward and "
           "dx = d sum(y*upstream)/dx), CategoryEncoding (F.one_hot), StringLookup (plain Python); torch "
           + torch.__version__,
           "normalization": normalization_cases(),
           "category": category_cases(),
           "lookup": lookup_cases()}
    path = os.path.join(OUT_DIR, "preprocess.json")
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
