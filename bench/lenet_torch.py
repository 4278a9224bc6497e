#!/usr/bin/python3
"""PyTorch twin of bench/lenet_test.go's BenchmarkFitLeNet.

The same LeNet-5-like net (Conv2D(6, 5x5, relu, same), MaxPool 2, Conv2D(16, 5x5,
relu), MaxPool 2, Flatten, Dense(120, relu), Dense(84, relu), Dense(10) with
softmax cross-entropy), Adam(0.001), batch 64, float32, on synthetic data of the
same shape (1024 images 28x28x1 in [0,1), 10 classes), two threads:

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/lenet_torch.py [epochs [threads]]

Prints samples/s (epochs after a warm-up epoch) and the peak resident set size
(about 240 MB of it is `import torch` alone). Compare with
GOMAXPROCS=<threads> for the Go side.
"""
import os
import resource
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402 (after the OpenMP setting)
import torch.nn as nn  # noqa: E402

ROWS, BATCH, SIDE, CLASSES = 64 * 16, 64, 28, 10


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, CLASSES))


def epoch(model, opt, loss_fn, x, y, gen):
    perm = torch.randperm(ROWS, generator=gen)
    for i in range(0, ROWS, BATCH):
        idx = perm[i:i + BATCH]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(ROWS, 1, SIDE, SIDE)  # NCHW: PyTorch's layout
    y = torch.randint(0, CLASSES, (ROWS,))
    model = lenet()
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    epoch(model, opt, loss_fn, x, y, gen)  # warm-up
    start = time.perf_counter()
    for _ in range(epochs):
        epoch(model, opt, loss_fn, x, y, gen)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("torch %s, %d threads: %.0f samples/s, peak RSS %.1f MB"
          % (torch.__version__, torch.get_num_threads(), epochs * ROWS / elapsed, peak_mb))


if __name__ == "__main__":
    main()
