#!/usr/bin/python3
"""Generate the PyTorch reference fixture of updates by rows (sparse embedding
gradients) for tests/parity_sparse_test.go.

Run from the repository root with Debian's PyTorch (1.13):

    /usr/bin/python3 tests/testdata/torch_sparse/make_fixtures.py

Writes sparse.json next to this script. All computation is float32; every array
is {"shape": [...], "data": [flat row-major]} with exact float32 values written as
JSON doubles. The output is deterministic.

The model: three categorical fields f0, f1, f2 (one id each). f0 and f1 share the
table emb_a (20 x 4, nn.Embedding(sparse=True), read twice), f2 reads emb_b
(12 x 3, sparse=True). Their vectors are concatenated (11) -> Linear(11, 6) ->
tanh -> Linear(6, 1); the loss is the mean squared error. Keras layout for the
kernels: h/kernel is (11, 6) = torch weight transposed.

Cases (each runs len(batches) steps of zero_grad, backward, step from the same
initial weights and batches):
  sgd        torch.optim.SGD(lr) on every parameter (sparse gradients for the
             tables: duplicate ids are added one by one to the weights).
  sparse_adam torch.optim.SparseAdam(tables) + torch.optim.Adam(dense params),
             same lr, betas, eps. SparseAdam's rule, per touched row only:
             m += (1-b1)(g-m); v += (1-b2)(g^2-v);
             w -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps),
             t = the number of steps this parameter had a gradient (every step
             here: the global step).
  adagrad    torch.optim.Adagrad(lr, initial_accumulator_value, eps) on every
             parameter (sparse: touched rows' sums only).
Rows 16..19 of emb_a and 9..11 of emb_b are never looked up; row 15 of emb_a only
at step 0, row 14 only from step 3 on (where lazy and dense Adam differ).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20261201
VA, DA, VB, DB, HID, BATCH, STEPS = 20, 4, 12, 3, 6, 8, 6


def arr(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def rnd(rng, lo, hi, shape):
    return np.round(rng.uniform(lo, hi, size=shape), 4).astype(np.float32)


rng = np.random.default_rng(SEED)
init = {
    "emb_a": rnd(rng, -0.5, 0.5, (VA, DA)),
    "emb_b": rnd(rng, -0.5, 0.5, (VB, DB)),
    "h_kernel": rnd(rng, -0.6, 0.6, (2 * DA + DB, HID)),
    "h_bias": rnd(rng, -0.1, 0.1, (HID,)),
    "out_kernel": rnd(rng, -0.6, 0.6, (HID, 1)),
    "out_bias": rnd(rng, -0.1, 0.1, (1,)),
}

batches = []
for s in range(STEPS):
    rows_a = [r for r in range(16) if (r != 15 or s == 0) and (r != 14 or s >= 3)]
    f0 = rng.choice(rows_a, size=BATCH)
    f1 = rng.choice(rows_a, size=BATCH)
    f1[0] = f0[0]  # the same row from both fields of one example
    f0[1] = f0[2]  # and twice in one field
    if s == 0:
        f0[3] = 15
    if s == 3:
        f1[4] = 14
    f2 = rng.integers(0, 9, size=BATCH)
    y = rnd(rng, -1, 1, (BATCH, 1))
    batches.append({"f0": [int(v) for v in f0], "f1": [int(v) for v in f1], "f2": [int(v) for v in f2], "y": arr(y)})


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb_a = nn.Embedding(VA, DA, sparse=True)
        self.emb_b = nn.Embedding(VB, DB, sparse=True)
        self.h = nn.Linear(2 * DA + DB, HID)
        self.out = nn.Linear(HID, 1)
        with torch.no_grad():
            self.emb_a.weight.copy_(torch.from_numpy(init["emb_a"]))
            self.emb_b.weight.copy_(torch.from_numpy(init["emb_b"]))
            self.h.weight.copy_(torch.from_numpy(init["h_kernel"].T.copy()))
            self.h.bias.copy_(torch.from_numpy(init["h_bias"]))
            self.out.weight.copy_(torch.from_numpy(init["out_kernel"].T.copy()))
            self.out.bias.copy_(torch.from_numpy(init["out_bias"]))

    def forward(self, f0, f1, f2):
        z = torch.cat([self.emb_a(f0), self.emb_a(f1), self.emb_b(f2)], dim=1)
        return self.out(torch.tanh(self.h(z)))

    def snapshot(self):
        return {
            "emb_a": arr(self.emb_a.weight), "emb_b": arr(self.emb_b.weight),
            "h_kernel": arr(self.h.weight.t()), "h_bias": arr(self.h.bias),
            "out_kernel": arr(self.out.weight.t()), "out_bias": arr(self.out.bias),
        }


CASES = [
    {"name": "sgd", "optimizer": "sgd", "lr": 0.2},
    {"name": "sparse_adam", "optimizer": "sparse_adam", "lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    {"name": "adagrad", "optimizer": "adagrad", "lr": 0.1, "initial_accumulator": 0.1, "eps": 1e-7},
]


def run(case):
    m = Model()
    tables = [m.emb_a.weight, m.emb_b.weight]
    dense = [m.h.weight, m.h.bias, m.out.weight, m.out.bias]
    if case["optimizer"] == "sgd":
        opts = [torch.optim.SGD(tables + dense, lr=case["lr"])]
    elif case["optimizer"] == "sparse_adam":
        kw = dict(lr=case["lr"], betas=(case["beta1"], case["beta2"]), eps=case["eps"])
        opts = [torch.optim.SparseAdam(tables, **kw), torch.optim.Adam(dense, **kw)]
    else:
        opts = [torch.optim.Adagrad(tables + dense, lr=case["lr"], initial_accumulator_value=case["initial_accumulator"], eps=case["eps"])]
    steps = []
    for b in batches:
        for o in opts:
            o.zero_grad()
        pred = m(torch.tensor(b["f0"]), torch.tensor(b["f1"]), torch.tensor(b["f2"]))
        y = torch.tensor(np.asarray(b["y"]["data"], dtype=np.float32).reshape(BATCH, 1))
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        assert m.emb_a.weight.grad.is_sparse and m.emb_b.weight.grad.is_sparse
        for o in opts:
            o.step()
        snap = m.snapshot()
        snap["loss"] = float(np.float32(loss.item()))
        steps.append(snap)
    out = dict(case)
    out["steps"] = steps
    return out


fixture = {
    "torch": torch.__version__,
    "init": {k: arr(v) for k, v in init.items()},
    "batches": batches,
    "cases": [run(c) for c in CASES],
}
path = os.path.join(OUT_DIR, "sparse.json")
with open(path, "w") as f:
    json.dump(fixture, f)
    f.write("\n")
print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
