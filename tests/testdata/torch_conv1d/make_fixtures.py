#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' 1-D convolution and pooling.

Run from the repository root with Debian's PyTorch (1.13):

    /usr/bin/python3 tests/testdata/torch_conv1d/make_fixtures.py

Writes conv1d.json next to this script. All computation is float32. Arrays are
{"shape": [...], "data": [flat row-major]} in Keras' layout: sequences
(batch, steps, channels), Conv1D kernels (kernel_size, in_channels, filters).
Padding "same" and "causal" are done with F.pad (causal: dilation*(k-1) zeros on
the left only). Masked global pools are computed by hand: the mean over the real
steps, the maximum over the real steps.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261130)


def arr(t):
    a = t.detach().cpu().numpy().astype(np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    a = np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)
    return torch.tensor(a, requires_grad=True)


def pad1(steps, k, s, d, padding):
    """(left, right) zeros of one axis, as Keras pads."""
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return d * (k - 1), 0
    out = -(-steps // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - steps, 0)
    return total // 2, total - total // 2


def ncl(x):
    return x.permute(0, 2, 1)


def conv_case(name, xs, ks, stride, dilation, padding):
    x, k, b = rnd(-1, 1, *xs), rnd(-0.5, 0.5, *ks), rnd(-0.2, 0.2, ks[2])
    p = pad1(xs[1], ks[0], stride, dilation, padding)
    weight = k.permute(2, 1, 0)  # (k, in, f) -> (f, in, k)
    y = ncl(F.conv1d(F.pad(ncl(x), p), weight, b, stride=stride, dilation=dilation))
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": name, "stride": stride, "dilation": dilation, "padding": padding,
            "x": arr(x), "kernel": arr(k), "bias": arr(b), "upstream": arr(up),
            "y": arr(y), "dx": arr(x.grad), "dkernel": arr(k.grad), "dbias": arr(b.grad)}


def pool_case(kind, name, xs, size, stride, padding):
    x = rnd(-1, 1, *xs)
    p = pad1(xs[1], size, stride, 1, padding)
    if kind == "max":
        y = F.max_pool1d(F.pad(ncl(x), p, value=float("-inf")), size, stride)
    else:
        s = F.avg_pool1d(F.pad(ncl(x), p), size, stride) * size
        count = F.avg_pool1d(F.pad(torch.ones(1, 1, xs[1]), p), size, stride) * size
        y = s / count
    y = ncl(y)
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": kind + " " + name, "kind": kind, "size": size, "stride": stride, "padding": padding,
            "x": arr(x), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad)}


def global_case(kind, xs, mask=None):
    x = rnd(-1, 1, *xs)
    if mask is None:
        y = x.mean(dim=1) if kind == "avg" else x.amax(dim=1)
    else:
        m = torch.tensor(mask, dtype=torch.float32).unsqueeze(-1)  # (b, t, 1)
        if kind == "avg":
            y = (x * m).sum(dim=1) / m.sum(dim=1)
        else:
            y = torch.where(m > 0, x, torch.full_like(x, float("-inf"))).amax(dim=1)
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    out = {"name": "global " + kind + (" masked" if mask is not None else ""), "kind": kind,
           "x": arr(x), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad)}
    if mask is not None:
        out["mask"] = arr(torch.tensor(mask, dtype=torch.float32))
    return out


def main():
    conv = [
        conv_case("valid", (2, 9, 3), (3, 3, 4), 1, 1, "valid"),
        conv_case("same odd", (2, 8, 2), (3, 2, 3), 1, 1, "same"),
        conv_case("same even kernel stride 2", (2, 9, 2), (4, 2, 3), 2, 1, "same"),
        conv_case("valid stride 3", (2, 11, 2), (3, 2, 2), 3, 1, "valid"),
        conv_case("valid dilation 2", (2, 10, 2), (3, 2, 2), 1, 2, "valid"),
        conv_case("same dilation 3", (2, 10, 1), (3, 1, 2), 1, 3, "same"),
        conv_case("causal", (2, 7, 2), (3, 2, 3), 1, 1, "causal"),
        conv_case("causal dilation 2 stride 2", (2, 9, 2), (2, 2, 3), 2, 2, "causal"),
    ]
    pool = []
    for kind in ("max", "avg"):
        pool += [
            pool_case(kind, "2 stride 2 valid", (2, 7, 3), 2, 2, "valid"),
            pool_case(kind, "3 stride 2 same", (2, 8, 2), 3, 2, "same"),
            pool_case(kind, "3 stride 1 same", (2, 5, 2), 3, 1, "same"),
        ]
    mask = [[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]]
    pool += [global_case("avg", (2, 6, 3)), global_case("max", (2, 6, 3)),
             global_case("avg", (2, 6, 3), mask), global_case("max", (2, 6, 3), mask)]
    path = os.path.join(OUT_DIR, "conv1d.json")
    with open(path, "w") as f:
        json.dump({"conv": conv, "pool": pool}, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
