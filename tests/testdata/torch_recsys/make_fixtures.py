#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' recommender interaction layers.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_recsys/make_fixtures.py

Writes recsys.json next to this script (see README.md). All computation is
float32; every array is {"shape": [...], "data": [flat row-major]}. Each case
holds the layer's input x (ids stored as floats for EmbeddingBag), its weights
by name (as gokeras names them after the layer's name), an upstream array, the
output y, and the gradients of sum(y * upstream) with respect to x (null for
ids) and to every weight.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20241130
RNG = np.random.default_rng(SEED)


def arr(t):
    """Tensor/ndarray -> {"shape", "data"} with exact float32 values as JSON doubles."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(lo, hi, *shape):
    """Uniform values rounded to 4 decimals, as a float32 ndarray."""
    return np.round(RNG.uniform(lo, hi, size=shape), 4).astype(np.float32)


def case(name, op, x, weights, fn, ids=False, **options):
    """Runs fn(x, weights) (x a float32 ndarray, or int64 ids; weights a dict of
    float32 ndarrays), backpropagates sum(y * upstream) and returns the case."""
    if ids:
        xt = torch.tensor(x, dtype=torch.int64)
    else:
        xt = torch.tensor(x, dtype=DT, requires_grad=True)
    wt = {k: torch.tensor(v, dtype=DT, requires_grad=True) for k, v in weights.items()}
    y = fn(xt, wt)
    up = torch.tensor(rnd(-1.0, 1.0, *y.shape), dtype=DT)
    (y * up).sum().backward()
    c = {"name": name, "op": op, "options": options}
    c.update({
        "x": arr(np.asarray(x, dtype=np.float32)),
        "weights": {k: arr(v) for k, v in weights.items()},
        "upstream": arr(up),
        "y": arr(y),
        "grad_x": None if ids else arr(xt.grad),
        "grad_weights": {k: arr(v.grad) for k, v in wt.items()},
    })
    return c


def fm(x, keep):
    """DeepFM's FM: 0.5 * ((sum_f v)^2 - sum_f v^2), summed over k unless keep."""
    s = x.sum(dim=1)
    q = (x * x).sum(dim=1)
    y = 0.5 * (s * s - q)
    return y if keep else y.sum(dim=1, keepdim=True)


def crossnet(x, w, n, rank, bias=True):
    """DCN-v2: x_{l+1} = x0 * (x_l W_l + b_l) + x_l, W_l = U_l V_l^T for a low rank;
    W is stored (in, out), as a Dense kernel."""
    x0, xl = x, x
    for i in range(n):
        p = "cross_%d/" % i
        if rank:
            z = (xl @ w[p + "kernel_u"]) @ w[p + "kernel_v"].t()
        else:
            z = xl @ w[p + "kernel"]
        if bias:
            z = z + w[p + "bias"]
        xl = x0 * z + xl
    return xl


def crossnet_weights(d, n, rank, bias=True):
    w = {}
    for i in range(n):
        p = "cross_%d/" % i
        if rank:
            w[p + "kernel_u"] = rnd(-0.6, 0.6, d, rank)
            w[p + "kernel_v"] = rnd(-0.6, 0.6, d, rank)
        else:
            w[p + "kernel"] = rnd(-0.6, 0.6, d, d)
        if bias:
            w[p + "bias"] = rnd(-0.3, 0.3, d)
    return w


def dot_interaction(x, self_interaction):
    """DLRM's interaction: the Gram matrix of the fields, upper triangle in
    row-major order (i < j; i <= j with self-interactions)."""
    f = x.shape[1]
    z = torch.bmm(x, x.transpose(1, 2))
    iu = torch.triu_indices(f, f, offset=0 if self_interaction else 1)
    return z[:, iu[0], iu[1]]


def bag_padded(ids, table, mode, pad):
    """torch's own EmbeddingBag on (batch, maxlen) ids with padding_idx."""
    return F.embedding_bag(ids, table, mode=mode, padding_idx=pad)


def bag_offsets(ids, table, mode, pad):
    """The same bags as variable-length bags (1-D ids and offsets, the padding id
    dropped), for a padding id outside the table (torch's padding_idx must be in
    the table)."""
    flat, offsets = [], []
    for row in ids.tolist():
        offsets.append(len(flat))
        flat.extend(i for i in row if i != pad)
    return F.embedding_bag(torch.tensor(flat, dtype=torch.int64), table,
                           torch.tensor(offsets, dtype=torch.int64), mode=mode)


def bag_sqrtn(ids, table, pad):
    """TensorFlow's sqrtn combiner: the sum over the bag divided by the square root
    of the number of ids that are not padding (0 for an empty bag)."""
    s = F.embedding_bag(ids, table, mode="sum", padding_idx=pad)
    n = (ids != pad).sum(dim=1, keepdim=True).to(DT)
    return s / torch.sqrt(torch.clamp(n, min=1.0))


def make_cases():
    cases = []

    x = rnd(-1, 1, 4, 5, 3)
    cases.append(case("fm", "fm", x, {}, lambda x, w: fm(x, False), keep_dims=False))
    cases.append(case("fm_keep_dims", "fm", x, {}, lambda x, w: fm(x, True), keep_dims=True))

    x = rnd(-1, 1, 4, 5)
    w = crossnet_weights(5, 2, 0)
    cases.append(case("crossnet_full", "crossnet", x, w, lambda x, w: crossnet(x, w, 2, 0),
                      layers=2, low_rank=0, use_bias=True))
    x = rnd(-1, 1, 4, 6)
    w = crossnet_weights(6, 2, 2)
    cases.append(case("crossnet_low_rank", "crossnet", x, w, lambda x, w: crossnet(x, w, 2, 2),
                      layers=2, low_rank=2, use_bias=True))
    x = rnd(-1, 1, 3, 4)
    w = crossnet_weights(4, 3, 1, bias=False)
    cases.append(case("crossnet_low_rank1_no_bias", "crossnet", x, w,
                      lambda x, w: crossnet(x, w, 3, 1, bias=False), layers=3, low_rank=1, use_bias=False))

    x = rnd(-1, 1, 3, 4, 5)
    cases.append(case("dot_interaction", "dot_interaction", x, {}, lambda x, w: dot_interaction(x, False),
                      self_interaction=False))
    cases.append(case("dot_interaction_self", "dot_interaction", x, {}, lambda x, w: dot_interaction(x, True),
                      self_interaction=True))

    # Bags of 4 padded with 0: repeats (3 twice in bag 0), a bag of padding only
    # (bag 2), a full bag (bag 3), padding in the middle (bag 4).
    ids = np.array([[3, 1, 3, 0], [5, 0, 0, 0], [0, 0, 0, 0], [7, 6, 2, 4], [1, 0, 2, 0]], dtype=np.int64)
    table = {"embeddings": rnd(-1, 1, 8, 3)}
    for mode in ["sum", "mean"]:
        cases.append(case("embedding_bag_" + mode, "embedding_bag", ids, table,
                          lambda x, w, mode=mode: bag_padded(x, w["embeddings"], mode, 0), ids=True,
                          combiner=mode, padding_id=0))
    cases.append(case("embedding_bag_sqrtn", "embedding_bag", ids, table,
                      lambda x, w: bag_sqrtn(x, w["embeddings"], 0), ids=True, combiner="sqrtn", padding_id=0))
    # Padding id -1: row 0 is a real id; torch's offsets form, padding dropped.
    ids_m1 = np.array([[0, 4, -1], [-1, -1, -1], [2, 0, 0], [5, -1, 6]], dtype=np.int64)
    table = {"embeddings": rnd(-1, 1, 7, 4)}
    cases.append(case("embedding_bag_mean_pad-1", "embedding_bag", ids_m1, table,
                      lambda x, w: bag_offsets(x, w["embeddings"], "mean", -1), ids=True,
                      combiner="mean", padding_id=-1))
    # Padding id 3 inside the table: that row gets no gradient.
    ids_3 = np.array([[3, 1, 2], [3, 3, 3], [0, 3, 0]], dtype=np.int64)
    table = {"embeddings": rnd(-1, 1, 5, 2)}
    cases.append(case("embedding_bag_sum_pad3", "embedding_bag", ids_3, table,
                      lambda x, w: bag_padded(x, w["embeddings"], "sum", 3), ids=True,
                      combiner="sum", padding_id=3))
    return cases


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    obj = {"description": "recommender interaction layers (FM, CrossNet, DotInteraction, EmbeddingBag); "
           "grads are those of sum(y*upstream) w.r.t. x (null for ids) and each weight; float32, torch "
           + torch.__version__,
           "cases": make_cases()}
    path = os.path.join(OUT_DIR, "recsys.json")
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes, %d cases)" % (path, os.path.getsize(path), len(obj["cases"])))


if __name__ == "__main__":
    main()
