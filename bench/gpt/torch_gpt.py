#!/usr/bin/python3
"""The gpt-opticks recipe in PyTorch, for a side-by-side run with gokeras.

Same data, split, tokenizer, architecture, initialization scheme, optimizer,
schedule and number of steps as zoo.RunGPT (demo run gpt-opticks):

- text: Newton's Opticks from the Go installation (or --corpus FILE), cut at
  90% of its bytes (moved forward to a character boundary); characters of the
  training part form the vocabulary (by frequency, then code point; ids 0 and 1
  reserved for padding and out-of-vocabulary, as package text);
- windows of --context tokens every --context tokens (targets shifted by one),
  the held-out part cut the same way;
- a pre-norm GPT: token embedding ~ N(0, 0.05), learned positions and every
  kernel glorot (Xavier) uniform, biases zero, LayerNorm eps 1e-5, causal
  multi-head attention with biased q/k/v/o projections, feed-forward of
  4·width with exact GELU, final LayerNorm, a biased output layer;
- Adam (betas 0.9, 0.999, eps 1e-7 as Keras), learning rate on a half cosine
  from --lr to 1% over all steps, batches of --batch shuffled every epoch (the
  last one smaller), --epochs epochs; float32, 2 threads.

Prints one JSON line: held-out loss, perplexity, accuracy, train tokens/s.
Run: /usr/bin/python3 bench/gpt/torch_gpt.py [--epochs 1] (see --help).
The allocator matters for PyTorch's speed: bench/gpt/run.sh runs it with
jemalloc preloaded or glibc's thresholds raised, as bench/compare/run.sh.
"""
import argparse
import json
import math
import subprocess
import time
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F


def opticks():
    root = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    with open(root + "/src/testdata/Isaac.Newton-Opticks.txt", encoding="utf-8") as f:
        return f.read()


def split_text(s, frac):
    b = s.encode("utf-8")
    i = int(len(b) * frac)
    while 0 < i < len(b) and (b[i] & 0xC0) == 0x80:
        i += 1
    return b[:i].decode("utf-8"), b[i:].decode("utf-8")


def windows(ids, context, stride):
    n = (len(ids) - context - 1) // stride + 1
    t = torch.tensor(ids, dtype=torch.long)
    x = torch.stack([t[i * stride:i * stride + context] for i in range(n)])
    y = torch.stack([t[i * stride + 1:i * stride + context + 1] for i in range(n)])
    return x, y


class Block(nn.Module):
    def __init__(self, width, heads, inter):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width, eps=1e-5)
        self.q, self.k, self.v, self.o = (nn.Linear(width, width) for _ in range(4))
        self.ln2 = nn.LayerNorm(width, eps=1e-5)
        self.fc1, self.fc2 = nn.Linear(width, inter), nn.Linear(inter, width)
        self.register_buffer("causal", torch.ones(1024, 1024, dtype=torch.bool).triu(1), persistent=False)

    def forward(self, x):
        b, t, w = x.shape
        h = self.ln1(x)
        split = lambda z: z.view(b, t, self.heads, w // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        s = (q @ k.transpose(-2, -1)) / math.sqrt(w // self.heads)
        s = s.masked_fill(self.causal[:t, :t], float("-inf"))
        a = torch.softmax(s, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, w))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, context, layers, heads, width):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.pos = nn.Parameter(torch.empty(context, width))
        self.blocks = nn.ModuleList(Block(width, heads, 4 * width) for _ in range(layers))
        self.ln = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, vocab)
        nn.init.normal_(self.tok.weight, 0, 0.05)
        nn.init.xavier_uniform_(self.pos)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, ids):
        x = self.tok(ids) + self.pos[: ids.shape[1]]
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", default="")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--max-train-tokens", type=int, default=0)
    p.add_argument("--max-test-tokens", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    text = open(a.corpus, encoding="utf-8").read() if a.corpus else opticks()
    train_text, test_text = split_text(text, 0.9)
    counts = Counter(train_text)
    vocab = sorted(counts, key=lambda c: (-counts[c], ord(c)))
    index = {c: i + 2 for i, c in enumerate(vocab)}
    enc = lambda s: [index.get(c, 1) for c in s]
    train_ids, test_ids = enc(train_text), enc(test_text)
    if a.max_train_tokens:
        train_ids = train_ids[: a.max_train_tokens]
    if a.max_test_tokens:
        test_ids = test_ids[: a.max_test_tokens]
    xtr, ytr = windows(train_ids, a.context, a.context)
    xte, yte = windows(test_ids, a.context, a.context)
    model = GPT(len(vocab) + 2, a.context, a.layers, a.heads, a.width)
    steps = a.epochs * ((len(xtr) - 1) // a.batch + 1)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-7)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.99 * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)) + 0.01)
    start = time.time()
    model.train()
    for _ in range(a.epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), a.batch):
            idx = perm[i:i + a.batch]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ytr[idx].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    secs = time.time() - start
    model.eval()
    with torch.no_grad():
        tot, hits, n = 0.0, 0, 0
        for i in range(0, len(xte), 256):
            logits = model(xte[i:i + 256])
            y = yte[i:i + 256]
            tot += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
            hits += (logits.argmax(-1) == y).sum().item()
            n += y.numel()
    loss = tot / n
    print(json.dumps({"framework": "pytorch " + torch.__version__, "steps": steps, "seconds": secs,
                      "tokens_per_second": a.epochs * len(xtr) * a.context / secs,
                      "test": {"loss": loss, "perplexity": math.exp(loss), "accuracy": hits / n},
                      "vocab": len(vocab) + 2, "train_tokens": len(train_ids), "test_tokens": len(test_ids)}))


if __name__ == "__main__":
    main()
