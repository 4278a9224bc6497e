#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' convolutional layers.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_conv/make_fixtures.py

Writes conv.json, pool.json and batchnorm.json next to this script. All
computation is float32. Arrays are {"shape": [...], "data": [flat row-major]}
in Keras' layout: images NHWC (batch, height, width, channels), Conv2D kernels
(kh, kw, in_channels, filters). The script converts to PyTorch's NCHW and
(filters, in_channels, kh, kw) and back.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20240717)


def arr(t):
    """Tensor -> {"shape", "data"} with exact float32 values as JSON doubles."""
    a = t.detach().cpu().numpy().astype(np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    """A float32 tensor of uniform values rounded to 4 decimals, needing a gradient."""
    a = np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)
    return torch.tensor(a, requires_grad=True)


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def same_pad(size, k, s, d):
    """Keras' 'same' padding of one axis: (before, after), the extra one after."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pads(x, k, s, d, padding):
    """F.pad's (left, right, top, bottom) for an NHWC x."""
    if padding == "valid":
        return (0, 0, 0, 0)
    top, bottom = same_pad(x.shape[1], k[0], s[0], d[0])
    left, right = same_pad(x.shape[2], k[1], s[1], d[1])
    return (left, right, top, bottom)


def write(name, obj):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def conv_case(name, xs, ks, strides, dilation, padding):
    x, k, b = rnd(-1, 1, *xs), rnd(-0.5, 0.5, *ks), rnd(-0.2, 0.2, ks[3])
    p = pads(x, ks, strides, dilation, padding)
    weight = k.permute(3, 2, 0, 1)  # (kh, kw, in, f) -> (f, in, kh, kw)
    y = nhwc(F.conv2d(F.pad(nchw(x), p), weight, b, stride=strides, dilation=dilation))
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": name, "strides": list(strides), "dilation": list(dilation), "padding": padding,
            "x": arr(x), "kernel": arr(k), "bias": arr(b), "upstream": arr(up),
            "y": arr(y), "dx": arr(x.grad), "dkernel": arr(k.grad), "dbias": arr(b.grad)}


def pool_case(kind, name, xs, size, strides, padding):
    x = rnd(-1, 1, *xs)
    p = pads(x, size, strides, (1, 1), padding)
    if kind == "max":
        # Padded positions are never the maximum (Keras); PyTorch pads symmetrically
        # only, so pad with -inf by hand.
        y = F.max_pool2d(F.pad(nchw(x), p, value=float("-inf")), size, strides)
    else:
        # Padded positions are not counted (Keras): window sum / valid count.
        area = size[0] * size[1]
        s = F.avg_pool2d(F.pad(nchw(x), p), size, strides) * area
        ones = torch.ones(1, 1, xs[1], xs[2])
        count = F.avg_pool2d(F.pad(ones, p), size, strides) * area
        y = s / count
    y = nhwc(y)
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": kind + " " + name, "kind": kind, "size": list(size), "strides": list(strides),
            "padding": padding, "x": arr(x), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad)}


def global_case(kind, xs):
    x = rnd(-1, 1, *xs)
    y = x.mean(dim=(1, 2)) if kind == "avg" else x.amax(dim=(1, 2))
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": "global " + kind, "kind": kind, "x": arr(x), "upstream": arr(up), "y": arr(y), "dx": arr(x.grad)}


def bn_case(name, xs, train, keras_momentum, eps):
    c = xs[-1]
    x, gamma, beta = rnd(-2, 3, *xs), rnd(0.5, 1.5, c), rnd(-0.5, 0.5, c)
    mean0, var0 = rnd(-0.3, 0.3, c).detach(), rnd(0.5, 2, c).detach()
    rm, rv = mean0.clone(), var0.clone()
    xt = nchw(x) if len(xs) == 4 else x
    y = F.batch_norm(xt, rm, rv, gamma, beta, training=train, momentum=1 - keras_momentum, eps=eps)
    y = nhwc(y) if len(xs) == 4 else y
    up = rnd(-1, 1, *y.shape)
    (y * up).sum().backward()
    return {"name": name, "training": train, "momentum": keras_momentum, "epsilon": eps,
            "x": arr(x), "gamma": arr(gamma), "beta": arr(beta),
            "moving_mean": arr(mean0), "moving_variance": arr(var0), "upstream": arr(up),
            "y": arr(y), "dx": arr(x.grad), "dgamma": arr(gamma.grad), "dbeta": arr(beta.grad),
            "new_moving_mean": arr(rm), "new_moving_variance": arr(rv)}


def main():
    conv = [
        conv_case("valid", (2, 7, 6, 3), (3, 3, 3, 4), (1, 1), (1, 1), "valid"),
        conv_case("same", (2, 6, 6, 2), (3, 3, 2, 3), (1, 1), (1, 1), "same"),
        conv_case("same stride 2 asymmetric", (2, 7, 8, 2), (3, 3, 2, 4), (2, 2), (1, 1), "same"),
        conv_case("same even kernel 4x2", (2, 6, 5, 2), (4, 2, 2, 3), (1, 1), (1, 1), "same"),
        conv_case("valid stride (2,3) kernel 3x2", (2, 9, 10, 2), (3, 2, 2, 3), (2, 3), (1, 1), "valid"),
        conv_case("valid dilation 2", (2, 9, 9, 2), (3, 3, 2, 2), (1, 1), (2, 2), "valid"),
        conv_case("same dilation (2,3)", (2, 8, 9, 1), (3, 3, 1, 2), (1, 1), (2, 3), "same"),
        conv_case("lenet conv1 5x5 same", (3, 12, 12, 1), (5, 5, 1, 6), (1, 1), (1, 1), "same"),
    ]
    write("conv.json", {"cases": conv})
    pool = []
    for kind in ("max", "avg"):
        pool += [
            pool_case(kind, "2x2 stride 2 valid", (2, 6, 6, 3), (2, 2), (2, 2), "valid"),
            pool_case(kind, "3x3 stride 2 same asymmetric", (2, 7, 8, 2), (3, 3), (2, 2), "same"),
            pool_case(kind, "2x3 stride (1,2) valid", (2, 5, 7, 2), (2, 3), (1, 2), "valid"),
            pool_case(kind, "3x3 stride 1 same", (2, 5, 5, 2), (3, 3), (1, 1), "same"),
        ]
    pool += [global_case("avg", (2, 5, 6, 3)), global_case("max", (2, 5, 6, 3))]
    write("pool.json", {"cases": pool})
    bn = [
        bn_case("images train", (4, 5, 5, 3), True, 0.9, 1e-3),
        bn_case("images eval", (4, 5, 5, 3), False, 0.9, 1e-3),
        bn_case("vectors train keras defaults", (6, 4), True, 0.99, 1e-3),
        bn_case("vectors eval", (6, 4), False, 0.99, 1e-3),
    ]
    write("batchnorm.json", {"cases": bn})


if __name__ == "__main__":
    main()
