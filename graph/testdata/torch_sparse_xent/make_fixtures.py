#!/usr/bin/python3
"""Reference numbers for graph.SparseCategoricalCrossentropy on sequences.

Run by hand with Debian's python3-torch (/usr/bin/python3 make_fixtures.py); it
writes fixtures.json beside it. Logits (2, 3, 5) in float64, next-token style
targets (2, 3) with one position ignored (-100, PyTorch's ignore_index), and a
second case where a mask (2, 3) drops positions instead (Keras' masked loss:
the mean over the kept positions). Outputs: the loss and its gradient with
respect to the logits.
"""
import json

import torch

torch.manual_seed(7)
logits = torch.randn(2, 3, 5, dtype=torch.float64) * 2
targets = torch.tensor([[1, 4, -100], [0, 2, 3]])
mask = torch.tensor([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]], dtype=torch.float64)


def ce(z, t):
    z = z.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(z.reshape(-1, 5), t.reshape(-1), ignore_index=-100)
    loss.backward()
    return loss.item(), z.grad.reshape(-1).tolist()


loss_ignore, grad_ignore = ce(logits, targets)
masked_targets = torch.where(mask > 0, targets.clamp(min=0), torch.full_like(targets, -100))
loss_mask, grad_mask = ce(logits, masked_targets)

out = {
    "logits": logits.reshape(-1).tolist(),
    "targets": [float(v) for v in targets.reshape(-1).tolist()],
    "mask": mask.reshape(-1).tolist(),
    "loss_ignore": loss_ignore,
    "grad_ignore": grad_ignore,
    "masked_targets": [float(v) for v in targets.clamp(min=0).reshape(-1).tolist()],
    "loss_mask": loss_mask,
    "grad_mask": grad_mask,
}
with open("fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
