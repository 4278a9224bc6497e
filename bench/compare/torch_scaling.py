#!/usr/bin/python3
"""PyTorch beside bench/scaling_test.go's batch=B rows: one epoch of the 784-128-10 MLP
(ReLU; CrossEntropyLoss on integer labels; Adam 1e-3; float32) on 4,000 synthetic
rows at batch sizes 1..1024, after one warm-up epoch; prints samples/s and µs/step.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/torch_scaling.py
"""
import time

import torch
from torch import nn

ROWS = 4000


def main():
    torch.set_num_threads(2)
    torch.manual_seed(1)
    x = torch.rand(ROWS, 784)
    y = torch.randint(0, 10, (ROWS,))
    print("| batch | samples/s | µs/step |")
    print("|---:|---:|---:|")
    for bs in [1, 8, 32, 128, 512, 1024]:
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def epoch():
            perm = torch.randperm(ROWS)
            for s in range(0, ROWS, bs):
                idx = perm[s:s + bs]
                opt.zero_grad(set_to_none=True)
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()

        epoch()
        t0 = time.perf_counter()
        epoch()
        sec = time.perf_counter() - t0
        steps = (ROWS + bs - 1) // bs
        print("| %d | %.0f | %.0f |" % (bs, ROWS / sec, sec * 1e6 / steps))


if __name__ == "__main__":
    main()
