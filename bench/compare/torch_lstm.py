#!/usr/bin/python3
"""The PyTorch side of bench/compare/seq -model lstm: Embedding(1000, 64) →
LSTM(128) over the sequence → Linear(1000) at every step (softmax folded into
nn.CrossEntropyLoss over all positions); batch 32, 64 steps, Adam 1e-3, float32.

    MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 bench/compare/torch_lstm.py --seqs 640

nn.LSTM runs PyTorch's fused CPU LSTM (one input-projection GEMM for all steps,
one recurrent GEMM and fused gates per step).
"""
from torch import nn

import torch_seq


class LSTMModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(torch_seq.VOCAB, 64)
        self.lstm = nn.LSTM(64, 128, batch_first=True)
        self.out = nn.Linear(128, torch_seq.VOCAB)

    def forward(self, ids):
        h, _ = self.lstm(self.emb(ids))
        return self.out(h)


if __name__ == "__main__":
    torch_seq.main("lstm", LSTMModel)
