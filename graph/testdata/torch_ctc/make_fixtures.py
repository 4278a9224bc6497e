#!/usr/bin/python3
"""Reference numbers for graph.CTCLoss from PyTorch's nn.CTCLoss.

Run by hand with Debian's python3-torch (/usr/bin/python3 make_fixtures.py); it
writes fixtures.json beside it. Every case draws logits (B, T, K) in float64,
takes log_probs = log_softmax(logits) and records, for nn.CTCLoss with the
case's blank, reduction and zero_infinity:

  loss            the loss (a list: one value, or B values for reduction none);
                  loss_inf marks the entries that are +inf (JSON has no inf)
  grad_logits     d loss / d logits (through log_softmax), the gradient that
                  matters for a model; computed with the sum of the loss (the
                  losses times fixed weights for reduction none)
  grad_log_probs  what PyTorch returns for a leaf log_probs tensor: its kernel
                  returns exp(lp) - posterior, the gradient with respect to the
                  logits, not the partial derivative -posterior

Labels are stored padded with -1 after each row's labels (torch gets them
clamped to 0; it reads only the first target_length entries).
"""
import json
import math

import torch


def case(name, seed, b, t, k, labels, input_lengths, blank=0, reduction="mean", zero_infinity=False):
    torch.manual_seed(seed)
    s = max(1, max(len(l) for l in labels))
    logits = torch.randn(b, t, k, dtype=torch.float64) * 1.5
    padded = torch.full((b, s), -1, dtype=torch.long)
    for i, l in enumerate(labels):
        if l:
            padded[i, : len(l)] = torch.tensor(l)
    label_lengths = torch.tensor([len(l) for l in labels], dtype=torch.long)
    in_lengths = torch.tensor(input_lengths, dtype=torch.long)
    ctc = torch.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    weights = torch.linspace(0.5, 1.5, b, dtype=torch.float64)

    def run(leaf, from_logits):
        leaf = leaf.clone().requires_grad_(True)
        lp = torch.log_softmax(leaf, dim=2) if from_logits else leaf
        # nn.CTCLoss wants (T, B, K)
        loss = ctc(lp.transpose(0, 1), padded.clamp(min=0), in_lengths, label_lengths)
        total = (loss * weights).sum() if reduction == "none" else loss
        total.backward()
        return loss.detach().reshape(-1).tolist(), leaf.grad.reshape(-1).tolist()

    loss, grad_logits = run(logits, True)
    _, grad_lp = run(torch.log_softmax(logits, dim=2), False)
    inf = [math.isinf(v) for v in loss]
    return {
        "name": name,
        "b": b, "t": t, "k": k, "s": s,
        "blank": blank,
        "reduction": reduction,
        "zero_infinity": zero_infinity,
        "logits": logits.reshape(-1).tolist(),
        "labels": [float(v) for v in padded.reshape(-1).tolist()],
        "input_lengths": [float(v) for v in input_lengths],
        "label_lengths": [float(len(l)) for l in labels],
        "weights": weights.tolist() if reduction == "none" else None,
        "loss": [0.0 if i else v for v, i in zip(loss, inf)],
        "loss_inf": inf,
        "grad_logits": None if any(inf) else grad_logits,
        "grad_log_probs": None if any(inf) else grad_lp,
    }


mixed = [[1, 1, 2], [3], [], [2, 4, 2, 4]]
mixed_lengths = [6, 4, 5, 8]
cases = [
    case("mixed mean", 1, 4, 8, 5, mixed, mixed_lengths),
    case("mixed sum", 1, 4, 8, 5, mixed, mixed_lengths, reduction="sum"),
    case("mixed none", 1, 4, 8, 5, mixed, mixed_lengths, reduction="none"),
    case("blank last", 2, 3, 7, 6, [[0, 1, 1], [4, 4], [2]], [7, 7, 3], blank=5),
    case("impossible zero_infinity", 3, 3, 5, 4, [[1, 1, 1], [2, 3], [1, 2, 3]], [4, 5, 2], zero_infinity=True),
    case("impossible zero_infinity none", 3, 3, 5, 4, [[1, 1, 1], [2, 3], [1, 2, 3]], [4, 5, 2], reduction="none", zero_infinity=True),
    case("impossible inf none", 3, 3, 5, 4, [[1, 1, 1], [2, 3], [1, 2, 3]], [4, 5, 2], reduction="none"),
    case("long", 4, 2, 30, 8, [[1, 2, 3, 3, 4, 5, 6, 7, 7, 1], [5, 5, 5]], [30, 22]),
]
with open("fixtures.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0)
