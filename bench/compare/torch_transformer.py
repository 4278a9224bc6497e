#!/usr/bin/python3
"""The PyTorch side of bench/compare/seq -model transformer, a small GPT:
Embedding(1000, 128) + learned positions (64, 128) → 2 pre-norm decoder blocks
(LayerNorm eps 1e-5 → causal multi-head self-attention, 4 heads → residual;
LayerNorm → Linear(512) → GELU (erf) → Linear(128) → residual) → LayerNorm →
Linear(1000) (softmax folded into nn.CrossEntropyLoss over all positions); batch
32, 64 steps, Adam 1e-3, float32, no dropout.

    MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 bench/compare/torch_transformer.py --seqs 640

The attention is nn.MultiheadAttention (batch_first, fused QKV projection) with a
boolean causal mask: the fastest eager form on this PyTorch (1.13) on CPU.
"""
import torch
from torch import nn

import torch_seq

WIDTH, HEADS, INTER, BLOCKS = 128, 4, 512, 2


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH, eps=1e-5)
        self.attn = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(WIDTH, eps=1e-5)
        self.ff = nn.Sequential(nn.Linear(WIDTH, INTER), nn.GELU(), nn.Linear(INTER, WIDTH))

    def forward(self, x, mask):
        h = self.ln1(x)
        a, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
        x = x + a
        return x + self.ff(self.ln2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(torch_seq.VOCAB, WIDTH)
        self.pos = nn.Parameter(torch.randn(torch_seq.STEPS, WIDTH) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.ln = nn.LayerNorm(WIDTH, eps=1e-5)
        self.out = nn.Linear(WIDTH, torch_seq.VOCAB)
        # True = masked: position i does not attend to j > i.
        self.register_buffer("mask", torch.triu(torch.ones(torch_seq.STEPS, torch_seq.STEPS, dtype=torch.bool), 1))

    def forward(self, ids):
        t = ids.shape[1]
        x = self.tok(ids) + self.pos[:t]
        m = self.mask[:t, :t]
        for b in self.blocks:
            x = b(x, m)
        return self.out(self.ln(x))


if __name__ == "__main__":
    torch_seq.main("transformer", GPT)
