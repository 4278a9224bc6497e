#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' TransformerEncoder and
TransformerDecoder (Keras-hub's blocks).

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_transformer/make_fixtures.py

Writes transformer.json next to this script (see README.md). The blocks are
written out by hand in torch with every weight held in Keras' layout (so the
gradients come out in Keras' layout too), and each case without a padded query
is checked against nn.TransformerEncoderLayer (weights copied into torch's
layout) before it is written. All computation is float32.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261130)
NAMES = ["self_attention/query/kernel", "self_attention/query/bias", "self_attention/key/kernel",
         "self_attention/key/bias", "self_attention/value/kernel", "self_attention/value/bias",
         "self_attention/output/kernel", "self_attention/output/bias",
         "self_attention_layer_norm/gamma", "self_attention_layer_norm/beta",
         "feedforward_layer_norm/gamma", "feedforward_layer_norm/beta",
         "feedforward_intermediate_dense/kernel", "feedforward_intermediate_dense/bias",
         "feedforward_output_dense/kernel", "feedforward_output_dense/bias"]


def arr(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    # str(np.float32) is the shortest decimal that reads back as the same float32.
    return {"shape": [int(s) for s in a.shape], "data": [float(str(v)) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    return torch.tensor(np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32), requires_grad=True)


def make_weights(W, H, Fd):
    D = W // H
    w = {}
    for n in ["query", "key", "value"]:
        w["self_attention/%s/kernel" % n] = rnd(-0.6, 0.6, W, H, D)
        w["self_attention/%s/bias" % n] = rnd(-0.3, 0.3, H, D)
    w["self_attention/output/kernel"] = rnd(-0.6, 0.6, H, D, W)
    w["self_attention/output/bias"] = rnd(-0.3, 0.3, W)
    for n in ["self_attention_layer_norm", "feedforward_layer_norm"]:
        w[n + "/gamma"] = rnd(0.7, 1.3, W)
        w[n + "/beta"] = rnd(-0.2, 0.2, W)
    w["feedforward_intermediate_dense/kernel"] = rnd(-0.6, 0.6, W, Fd)
    w["feedforward_intermediate_dense/bias"] = rnd(-0.3, 0.3, Fd)
    w["feedforward_output_dense/kernel"] = rnd(-0.6, 0.6, Fd, W)
    w["feedforward_output_dense/bias"] = rnd(-0.3, 0.3, W)
    return w


def act_fn(name):
    return {"relu": F.relu, "gelu": F.gelu}[name]


def attention(w, x, keep):
    """Keras MultiHeadAttention on x (B, T, W), keep mask M (B, T, T)."""
    D = w["self_attention/query/kernel"].shape[2]
    q = torch.einsum("btw,whd->bhtd", x, w["self_attention/query/kernel"]) + w["self_attention/query/bias"][None, :, None, :]
    k = torch.einsum("btw,whd->bhtd", x, w["self_attention/key/kernel"]) + w["self_attention/key/bias"][None, :, None, :]
    v = torch.einsum("btw,whd->bhtd", x, w["self_attention/value/kernel"]) + w["self_attention/value/bias"][None, :, None, :]
    s = torch.einsum("bhqd,bhkd->bhqk", q / np.sqrt(D), k)
    m = keep[:, None, :, :]
    p = torch.softmax(s + (1 - m) * (-1e9), dim=-1) * m
    o = torch.einsum("bhqk,bhkd->bqhd", p, v)
    return torch.einsum("bqhd,hdw->bqw", o, w["self_attention/output/kernel"]) + w["self_attention/output/bias"]


def block(w, x, mask, causal, norm_first, act, eps):
    B, T, W = x.shape
    keep = torch.ones(B, T, T)
    if mask is not None:
        keep = keep * mask[:, :, None] * mask[:, None, :]
    if causal:
        keep = keep * torch.tril(torch.ones(T, T))[None]
    ln = lambda h, n: F.layer_norm(h, (W,), w[n + "/gamma"], w[n + "/beta"], eps)
    h = ln(x, "self_attention_layer_norm") if norm_first else x
    x = x + attention(w, h, keep)
    if not norm_first:
        x = ln(x, "self_attention_layer_norm")
    h = ln(x, "feedforward_layer_norm") if norm_first else x
    h = act_fn(act)(h @ w["feedforward_intermediate_dense/kernel"] + w["feedforward_intermediate_dense/bias"])
    x = x + h @ w["feedforward_output_dense/kernel"] + w["feedforward_output_dense/bias"]
    if not norm_first:
        x = ln(x, "feedforward_layer_norm")
    return x


def torch_reference(w, x, causal, norm_first, act, eps, H, key_mask):
    """nn.TransformerEncoderLayer with the same weights (no query masking)."""
    W = x.shape[2]
    Fd = w["feedforward_intermediate_dense/kernel"].shape[1]
    m = nn.TransformerEncoderLayer(W, H, Fd, dropout=0.0, activation=act, layer_norm_eps=eps,
                                   batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        t = lambda n: w[n].detach()
        m.self_attn.in_proj_weight.copy_(torch.cat([t("self_attention/%s/kernel" % n).reshape(W, W).t()
                                                    for n in ["query", "key", "value"]]))
        m.self_attn.in_proj_bias.copy_(torch.cat([t("self_attention/%s/bias" % n).reshape(W)
                                                  for n in ["query", "key", "value"]]))
        m.self_attn.out_proj.weight.copy_(t("self_attention/output/kernel").reshape(W, W).t())
        m.self_attn.out_proj.bias.copy_(t("self_attention/output/bias"))
        m.norm1.weight.copy_(t("self_attention_layer_norm/gamma"))
        m.norm1.bias.copy_(t("self_attention_layer_norm/beta"))
        m.norm2.weight.copy_(t("feedforward_layer_norm/gamma"))
        m.norm2.bias.copy_(t("feedforward_layer_norm/beta"))
        m.linear1.weight.copy_(t("feedforward_intermediate_dense/kernel").t())
        m.linear1.bias.copy_(t("feedforward_intermediate_dense/bias"))
        m.linear2.weight.copy_(t("feedforward_output_dense/kernel").t())
        m.linear2.bias.copy_(t("feedforward_output_dense/bias"))
    m.eval()
    T = x.shape[1]
    attn_mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1) if causal else None
    kpm = None if key_mask is None else (key_mask == 0)
    with torch.no_grad():
        return m(x.detach(), src_mask=attn_mask, src_key_padding_mask=kpm)


def case(name, cls, H, Fd, B, T, W, norm_first, act, key_mask=None, eps=1e-5):
    causal = cls == "TransformerDecoder"
    w = make_weights(W, H, Fd)
    x = rnd(-1.5, 1.5, B, T, W)
    mask = None if key_mask is None else torch.tensor(np.asarray(key_mask, dtype=np.float32))
    y = block(w, x, mask, causal, norm_first, act, eps)
    ref = torch_reference(w, x, causal, norm_first, act, eps, H, mask)
    real = torch.ones(B, T) if mask is None else mask
    diff = ((y.detach() - ref).abs() * real[:, :, None]).max().item()
    assert diff < 2e-5, (name, diff)
    print("%s: |manual - nn.TransformerEncoderLayer| = %.3g on real positions" % (name, diff))
    up = torch.tensor(np.round(RNG.uniform(-1, 1, size=y.shape), 4).astype(np.float32))
    (y * up).sum().backward()
    return {"name": name, "class": cls, "num_heads": H, "intermediate_dim": Fd, "normalize_first": norm_first,
            "activation": act, "layer_norm_epsilon": eps,
            "key_mask": None if key_mask is None else arr(mask),
            "x": arr(x), "weights": {n: arr(w[n]) for n in NAMES}, "upstream": arr(up), "y": arr(y),
            "grad_x": arr(x.grad), "grad_weights": {n: arr(w[n].grad) for n in NAMES}}


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    cases = [
        case("encoder_post_relu_mask", "TransformerEncoder", 2, 6, 2, 4, 4, False, "relu",
             key_mask=[[1, 1, 1, 0], [1, 1, 1, 1]]),
        case("encoder_pre_gelu_mask", "TransformerEncoder", 2, 5, 2, 4, 4, True, "gelu",
             key_mask=[[1, 1, 0, 0], [1, 1, 1, 1]]),
        case("decoder_post_gelu", "TransformerDecoder", 2, 6, 2, 4, 4, False, "gelu"),
        case("decoder_pre_relu", "TransformerDecoder", 1, 5, 2, 4, 4, True, "relu"),
    ]
    obj = {"description": "Keras-hub TransformerEncoder/TransformerDecoder written in torch with Keras-layout "
           "weights; grads of sum(y*upstream); float32, torch " + torch.__version__, "cases": cases}
    path = os.path.join(OUT_DIR, "transformer.json")
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
