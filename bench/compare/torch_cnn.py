#!/usr/bin/python3
"""The PyTorch side of bench/compare's convolutional workload (run.sh WORKLOAD=cnn):
LeNet-5 or the 32/64-filter 5x5 CNN on synthetic 28x28x1 images (NCHW, PyTorch's
layout), batch 64, float32, Adam 1e-3, softmax folded into nn.CrossEntropyLoss on
integer labels, He-initialised kernels (kaiming_normal_, fan_in) and zero biases,
as bench/compare/gokeras and bench/compare/gomlx with -model lenet|cnn. Prints one
JSON line with the keys of torch_mlp.py plus model, batch, train_cpu_s and
infer_cpu_s (user + system CPU time of the process, all threads).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/torch_cnn.py --model lenet --rows 3200 --epochs 1

    lenet Conv(6,5x5,same) MaxPool2 Conv(16,5x5,valid) MaxPool2 Linear 400-120-84-10, ReLU
    cnn   Conv(32,5x5,same) MaxPool2 Conv(64,5x5,same) MaxPool2 Linear 3136-1024-10, ReLU

Data: pixels uniform in [0,1), labels uniform over the 10 classes (the random
numbers differ from the Go programs, the sizes are the same). Each epoch is
shuffled and the last partial batch is trained, as gokeras' Fit does. Timed: all
epochs of training, the softmax of all rows at batch 1024 (second call), and
1,000 single-row predictions after 100 warm-ups.
"""
import argparse
import json
import math
import resource
import time

import torch
from torch import nn

SIDE, N_OUT, BATCH, INFER_BATCH = 28, 10, 64, 1024
LATENCY_RUNS, WARMUP_RUNS = 1000, 100


def proc_status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no %s in /proc/self/status" % field)


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def percentile(v, p):
    """Nearest-rank percentile, as the Go program computes it."""
    v = sorted(v)
    k = min(max(math.ceil(len(v) * p / 100) - 1, 0), len(v) - 1)
    return v[k]


def build(model, hidden):
    """The network of --model; its last layer gives the logits."""
    if model == "lenet":
        net = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 14x14x6
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),             # 5x5x16
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, N_OUT))
    else:
        net = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 14x14x32
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 7x7x64
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, hidden), nn.ReLU(),
            nn.Linear(hidden, N_OUT))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["lenet", "cnn"], default="lenet")
    ap.add_argument("--rows", type=int, default=3200)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cnn-dense", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    x = torch.rand(a.rows, 1, SIDE, SIDE, dtype=torch.float32)
    y = torch.randint(0, N_OUT, (a.rows,))
    data_mb = proc_status_mb("VmRSS")

    model = build(a.model, a.cnn_dense)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    epoch_rss, epoch_s = [], []
    start, cpu0 = time.perf_counter(), cpu_seconds()
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
    train_s, train_cpu = time.perf_counter() - start, cpu_seconds() - cpu0

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
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    predict_all()
    infer_per_s = a.rows / (time.perf_counter() - t0)
    infer_cpu = cpu_seconds() - cpu0

    lat = []
    one = torch.empty(1, 1, SIDE, SIDE)
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
        "model": a.model,
        "batch": BATCH,
        "train_cpu_s": train_cpu,
        "infer_cpu_s": infer_cpu,
    }))


if __name__ == "__main__":
    main()
