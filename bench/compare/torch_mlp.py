#!/usr/bin/python3
"""The PyTorch side of bench/compare: the 784-256-128-10 MLP (ReLU, ReLU; softmax
folded into nn.CrossEntropyLoss on integer labels; Adam 1e-3; batch 128; float32) on
synthetic data, printing one JSON line with the same keys as bench/compare/gokeras.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/torch_mlp.py --rows 60000 --epochs 3

Data: inputs uniform in [0,1), labels uniform over the 10 classes (the random
numbers differ from the Go program, the sizes are the same). Each epoch is shuffled
and the last partial batch is trained, as gokeras' Fit does.
"""
import argparse
import json
import math
import time

import torch
from torch import nn

N_IN, N_OUT, BATCH, INFER_BATCH = 784, 10, 128, 1024
LATENCY_RUNS, WARMUP_RUNS = 1000, 100


def proc_status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no %s in /proc/self/status" % field)


def percentile(v, p):
    """Nearest-rank percentile, as the Go program computes it."""
    v = sorted(v)
    k = min(max(math.ceil(len(v) * p / 100) - 1, 0), len(v) - 1)
    return v[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    x = torch.rand(a.rows, N_IN, dtype=torch.float32)
    y = torch.randint(0, N_OUT, (a.rows,))
    data_mb = proc_status_mb("VmRSS")

    model = nn.Sequential(nn.Linear(N_IN, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, N_OUT))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    epoch_rss, epoch_s = [], []
    start = time.perf_counter()
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(a.rows)
        for s in range(0, a.rows, BATCH):
            idx = perm[s:s + BATCH]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        epoch_s.append(time.perf_counter() - t0)
        epoch_rss.append(proc_status_mb("VmRSS"))
    train_s = time.perf_counter() - start

    # Inference: probabilities for all rows at batch 1024, once to warm up, once timed.
    model.eval()

    def predict(inp):
        with torch.inference_mode():
            return torch.softmax(model(inp), dim=1)

    def predict_all():
        out = torch.empty(a.rows, N_OUT)
        for s in range(0, a.rows, INFER_BATCH):
            out[s:s + INFER_BATCH] = predict(x[s:s + INFER_BATCH])
        return out

    predict_all()
    t0 = time.perf_counter()
    predict_all()
    infer_per_s = a.rows / (time.perf_counter() - t0)

    lat = []
    one = torch.empty(1, N_IN)
    for i in range(WARMUP_RUNS + LATENCY_RUNS):
        r = i % a.rows
        one.copy_(x[r:r + 1])
        t0 = time.perf_counter()
        predict(one)
        if i >= WARMUP_RUNS:
            lat.append((time.perf_counter() - t0) * 1e6)

    print(json.dumps({
        "impl": "pytorch",
        "blas": "torch %s, %d threads" % (torch.__version__, torch.get_num_threads()),
        "rows": a.rows,
        "epochs": a.epochs,
        "train_samples": a.rows * a.epochs,
        "train_samples_per_s": a.rows * a.epochs / train_s,
        "infer_samples_per_s": infer_per_s,
        "predict_row_p50_us": percentile(lat, 50),
        "predict_row_p99_us": percentile(lat, 99),
        "peak_rss_mb": proc_status_mb("VmHWM"),
        "epoch_rss_mb": epoch_rss,
        "epoch_s": epoch_s,
        "data_rss_mb": data_mb,
    }))


if __name__ == "__main__":
    main()
