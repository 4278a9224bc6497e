"""Shared driver of torch_lstm.py and torch_transformer.py: the PyTorch side of
bench/compare/seq (batch 32, 64 steps, vocabulary 1000, cross-entropy over every
position, Adam 1e-3, float32), printing one JSON line with the keys of the Go
program. Not run by itself."""
import argparse
import json
import time

import torch
from torch import nn

VOCAB, STEPS, BATCH = 1000, 64, 32
WARMUP = 2 * BATCH


def proc_status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no %s in /proc/self/status" % field)


def main(name, make_model):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seqs", type=int, default=640)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.seqs < BATCH or a.seqs % BATCH:
        raise SystemExit("--seqs must be a positive multiple of %d" % BATCH)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.autograd.set_detect_anomaly(False)

    x = torch.randint(0, VOCAB, (a.seqs, STEPS))
    y = torch.randint(0, VOCAB, (a.seqs, STEPS))
    model = make_model()
    n_params = sum(p.numel() for p in model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch(xs, ys):
        model.train()
        perm = torch.randperm(xs.shape[0])
        loss = None
        for s in range(0, xs.shape[0], BATCH):
            idx = perm[s:s + BATCH]
            xb, yb = xs[idx], ys[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)  # (B, T, V)
            loss = loss_fn(logits.reshape(-1, VOCAB), yb.reshape(-1))
            loss.backward()
            opt.step()
        return loss.item()

    t0 = time.perf_counter()
    first_loss = epoch(x[:WARMUP], y[:WARMUP])
    warm_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    epoch(x, y)
    train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0

    # Inference: probabilities of every position at batch 32, once to warm up, once timed.
    model.eval()

    def predict_all():
        out = torch.empty(a.seqs, STEPS, VOCAB)
        with torch.inference_mode():
            for s in range(0, a.seqs, BATCH):
                out[s:s + BATCH] = torch.softmax(model(x[s:s + BATCH]), dim=-1)
        return out

    predict_all()
    t0, c0 = time.perf_counter(), time.process_time()
    predict_all()
    infer_s, infer_cpu = time.perf_counter() - t0, time.process_time() - c0

    tokens = a.seqs * STEPS
    print(json.dumps({
        "impl": "pytorch",
        "model": name,
        "blas": "torch %s, %d threads" % (torch.__version__, torch.get_num_threads()),
        "seqs": a.seqs,
        "train_tokens": tokens,
        "train_tokens_per_s": tokens / train_s,
        "train_step_ms": train_s * 1e3 / (a.seqs // BATCH),
        "infer_tokens_per_s": tokens / infer_s,
        "loss": first_loss,
        "peak_rss_mb": proc_status_mb("VmHWM"),
        "params": n_params,
        "warmup_s": warm_s,
        "train_cpu_s": train_cpu,
        "infer_cpu_s": infer_cpu,
    }))
