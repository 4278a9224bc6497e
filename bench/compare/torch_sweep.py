#!/usr/bin/python3
"""The PyTorch side of the scaling sweep of bench/compare (bench/compare/gokeras
-sweep, sweep.go): one JSON line per batch size or hidden width, same keys.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/torch_sweep.py --sweep batch --threads 1
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/torch_sweep.py --sweep width --threads 2
    SWEEP_QUICK=1 /usr/bin/python3 bench/compare/torch_sweep.py --sweep batch   # batches 8, 128; widths 256, 512

batch: for B in 1, 8, 32, 128, 512, 1024 a fresh 784-256-128-10 MLP (ReLU, ReLU;
softmax folded into nn.CrossEntropyLoss on integer labels; Adam 1e-3; float32),
one untimed epoch on max(512, B) rows (capped at 4096), then one timed shuffled
epoch on 4096 rows at batch B (train_samples_per_s, step_us) and the softmax
of all 4096 rows at batch B under inference_mode, timed on the second pass
(infer_samples_per_s).

width: for W in 256, 512, 1024, 2048, 4096 a fresh 784-W-10 net, batch 128,
3 warm-up steps then 20 timed ones in one shuffled epoch; step_us is the median
step time, gflops = 128*(4*784*W + 6*W*10) / step seconds / 1e9 (forward and weight
gradients of both layers, the input gradient of the second only: autograd does
not compute the first layer's, the input needs no gradient).

SWEEP_QUICK=1: batches 8 and 128 on 512 rows, widths 256 and 512, 5 timed steps.
Data: inputs uniform in [0,1), labels uniform over the 10 classes.
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn

N_IN, N_OUT, WIDTH_BATCH, WIDTH_WARMUP = 784, 10, 128, 3


def plan():
    """Batch sizes, widths, rows of the batch sweep, timed steps of the width sweep."""
    if os.environ.get("SWEEP_QUICK") == "1":
        return [8, 128], [256, 512], 512, 5
    return [1, 8, 32, 128, 512, 1024], [256, 512, 1024, 2048, 4096], 4096, 20


def data(rows):
    return torch.rand(rows, N_IN, dtype=torch.float32), torch.randint(0, N_OUT, (rows,))


def build(*hidden):
    """784 -> Linear+ReLU for each width of hidden -> Linear(10), with its optimizer."""
    mods, n = [], N_IN
    for h in hidden:
        mods += [nn.Linear(n, h), nn.ReLU()]
        n = h
    model = nn.Sequential(*mods, nn.Linear(n, N_OUT))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def epoch(model, opt, x, y, b, step_times=None):
    """One shuffled epoch at batch b (last partial batch trained); returns seconds."""
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    start = last = time.perf_counter()
    perm = torch.randperm(x.shape[0])
    for s in range(0, x.shape[0], b):
        idx = perm[s:s + b]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()
        if step_times is not None:
            now = time.perf_counter()
            step_times.append(now - last)
            last = now
    return time.perf_counter() - start


def sweep_batch(b, x, y):
    rows = x.shape[0]
    model, opt = build(256, 128)
    wx, wy = data(min(max(512, b), rows))
    epoch(model, opt, wx, wy, b)
    train_s = epoch(model, opt, x, y, b)
    model.eval()

    def predict_all():
        out = torch.empty(rows, N_OUT)
        with torch.inference_mode():
            for s in range(0, rows, b):
                out[s:s + b] = torch.softmax(model(x[s:s + b]), dim=1)
        return out

    predict_all()
    t0 = time.perf_counter()
    predict_all()
    infer = rows / (time.perf_counter() - t0)
    steps = (rows + b - 1) // b
    return {"batch": b, "width": 0, "train_samples_per_s": rows / train_s,
            "infer_samples_per_s": infer, "step_us": train_s / steps * 1e6, "gflops": None}


def sweep_width(w, steps):
    model, opt = build(w)
    x, y = data(WIDTH_BATCH * (WIDTH_WARMUP + steps))
    times = []
    epoch(model, opt, x, y, WIDTH_BATCH, times)
    step_s = statistics.median(times[WIDTH_WARMUP:])
    return {"batch": WIDTH_BATCH, "width": w, "train_samples_per_s": WIDTH_BATCH / step_s,
            "infer_samples_per_s": None, "step_us": step_s * 1e6,
            "gflops": WIDTH_BATCH * (4 * N_IN * w + 6 * w * N_OUT) / step_s / 1e9}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", choices=["batch", "width"], required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    batches, widths, rows, steps = plan()
    if a.sweep == "batch":
        x, y = data(rows)
        results = (sweep_batch(b, x, y) for b in batches)
    else:
        results = (sweep_width(w, steps) for w in widths)
    for r in results:
        line = {"impl": "pytorch", "sweep": a.sweep, "batch": r["batch"], "width": r["width"],
                "threads": a.threads, "blas_threads": torch.get_num_threads()}
        line.update((k, r[k]) for k in ["train_samples_per_s", "infer_samples_per_s", "step_us", "gflops"])
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
