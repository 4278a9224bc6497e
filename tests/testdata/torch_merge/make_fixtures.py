#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras' merge and embedding ops.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch_merge/make_fixtures.py

Writes merge.json next to this script. All computation is float32; every array
is {"shape": [...], "data": [flat row-major]}. Each case holds its inputs (a
list, in argument order), an upstream array, the forward output y and, for every
float input, the gradient of sum(y * upstream); the ids of the embedding case
are integers stored as floats and get no gradient (null).
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240905
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


def case(name, op, inputs, fn, differentiable=None, **extra):
    """Runs fn on the inputs (float32 ndarrays), backpropagates sum(y * upstream)
    and returns the case. differentiable[i] False marks an input without gradient."""
    if differentiable is None:
        differentiable = [True] * len(inputs)
    ts = [torch.tensor(a, dtype=DT, requires_grad=d) for a, d in zip(inputs, differentiable)]
    y = fn(*ts)
    up = torch.tensor(rnd(-1.0, 1.0, *y.shape), dtype=DT)
    (y * up).sum().backward()
    c = {"name": name, "op": op}
    c.update(extra)
    c.update({
        "inputs": [arr(a) for a in inputs],
        "upstream": arr(up),
        "y": arr(y),
        "grads": [arr(t.grad) if d else None for t, d in zip(ts, differentiable)],
    })
    return c


def with_ties(a, b, idx):
    """Copies a into b at the flat positions idx, so that those elements tie."""
    b = b.copy()
    b.reshape(-1)[idx] = a.reshape(-1)[idx]
    return b


def make_cases():
    cases = []

    # embedding: table (7, 3), ids (4, 2) with repeats (row 1 three times, 3 twice)
    table = rnd(-1.0, 1.0, 7, 3)
    ids = np.array([[1, 3], [3, 0], [6, 1], [1, 5]], dtype=np.float32)
    cases.append(case("embedding", "embedding", [table, ids],
                      lambda t, i: F.embedding(i.long(), t), [True, False],
                      note="y[b, p] = table[ids[b, p]]; ids are integers stored as floats"))

    x0, x1, x2 = rnd(-1, 1, 4, 3), rnd(-1, 1, 4, 3), rnd(-1, 1, 4, 3)
    cases.append(case("add", "add", [x0, x1], lambda a, b: a + b))
    cases.append(case("subtract", "subtract", [x0, x1], lambda a, b: a - b))
    cases.append(case("multiply", "multiply", [x0, x1], lambda a, b: a * b))
    cases.append(case("average", "average", [x0, x1, x2],
                      lambda a, b, c: torch.stack([a, b, c]).mean(dim=0), note="mean of 3 inputs"))

    # maximum / minimum with exact ties at 3 positions: each side gets half the gradient
    m0 = rnd(-1, 1, 4, 3)
    m1 = with_ties(m0, rnd(-1, 1, 4, 3), [0, 5, 11])
    cases.append(case("maximum", "maximum", [m0, m1], torch.maximum,
                      note="exact ties at flat positions 0, 5, 11 (gradient split in half)"))
    cases.append(case("minimum", "minimum", [m0, m1], torch.minimum,
                      note="exact ties at flat positions 0, 5, 11 (gradient split in half)"))

    # concatenation of rank-3 inputs
    cases.append(case("concatenate_axis-1", "concatenate", [rnd(-1, 1, 2, 3, 2), rnd(-1, 1, 2, 3, 4)],
                      lambda a, b: torch.cat([a, b], dim=-1), axis=-1))
    cases.append(case("concatenate_axis1", "concatenate",
                      [rnd(-1, 1, 2, 1, 3), rnd(-1, 1, 2, 2, 3), rnd(-1, 1, 2, 3, 3)],
                      lambda a, b, c: torch.cat([a, b, c], dim=1), axis=1))

    # Keras Dot
    d0, d1 = rnd(-1, 1, 4, 5), rnd(-1, 1, 4, 5)
    cases.append(case("dot_rank2", "dot", [d0, d1], lambda a, b: (a * b).sum(dim=1, keepdim=True),
                      axes=[1, 1], normalize=False))
    cases.append(case("dot_rank2_normalize", "dot", [d0, d1],
                      lambda a, b: (F.normalize(a, p=2, dim=1, eps=1e-12)
                                    * F.normalize(b, p=2, dim=1, eps=1e-12)).sum(dim=1, keepdim=True),
                      axes=[1, 1], normalize=True, note="cosine similarity"))
    r0, r1 = rnd(-1, 1, 2, 3, 4), rnd(-1, 1, 2, 5, 4)
    cases.append(case("dot_rank3_axes22", "dot", [r0, r1], lambda a, b: torch.bmm(a, b.transpose(1, 2)),
                      axes=[2, 2], normalize=False, note="(2,3,4).(2,5,4) -> (2,3,5)"))
    cases.append(case("dot_rank3_axes22_normalize", "dot", [r0, r1],
                      lambda a, b: torch.bmm(F.normalize(a, p=2, dim=2, eps=1e-12),
                                             F.normalize(b, p=2, dim=2, eps=1e-12).transpose(1, 2)),
                      axes=[2, 2], normalize=True, note="(2,3,4).(2,5,4) -> (2,3,5)"))
    s0, s1 = rnd(-1, 1, 2, 3, 4), rnd(-1, 1, 2, 3, 5)
    cases.append(case("dot_rank3_axes11", "dot", [s0, s1], lambda a, b: torch.bmm(a.transpose(1, 2), b),
                      axes=[1, 1], normalize=False, note="(2,3,4).(2,3,5) -> (2,4,5)"))
    return cases


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    obj = {"description": "merge and embedding ops; grads are those of sum(y*upstream) w.r.t. each float "
           "input (null for the ids); float32, torch " + torch.__version__,
           "cases": make_cases()}
    path = os.path.join(OUT_DIR, "merge.json")
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
