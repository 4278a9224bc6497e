#!/usr/bin/python3
"""NumPy and PyTorch (CPU) counterparts of bench/speech_test.go: seconds of audio
processed per second (audio-s/s) for

  features-numpy   log-mel of 64 one-second 16 kHz clips, one clip at a time, with
                   audio/testdata/make_fixtures.py's NumPy functions (float64)
  features-torch   the same batch at once: torch.stft (periodic Hann 400 in a 512
                   FFT, hop 160, centred, reflect padding), power, the same Slaney
                   mel filterbank (built in NumPy), dB with an 80 dB floor per clip
                   (float32)
  kws-infer        the kws network at batch 64 on (64, 1, 101, 40) log-mel images
  ctc-infer        the digits-ctc network at batch 16 on (16, 1, 400, 40) images
                   (clips of 63,840 samples = 3.99 s), up to the softmax

Random weights, eval mode, no_grad, warm-up, then the median of --repeats timed
runs. One JSON line per workload. Run it the way bench/speech/run.sh does (the
allocator settings of bench/compare/run.sh).
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "audio", "testdata"))
import make_fixtures as mf  # noqa: E402

SR = 16000
N_FFT, WIN, HOP, MELS = 512, 400, 160, 40
KWS_BATCH, CTC_BATCH, CTC_SAMPLES = 64, 16, 63840


def clips(n, samples):
    rng = np.random.default_rng(1)
    t = np.arange(samples) / SR
    out = np.empty((n, samples))
    for c in range(n):
        f = 200 + 100 * (c % 16)
        out[c] = 0.3 * np.sin(2 * np.pi * f * t) + 0.1 * np.sin(2 * np.pi * (100 * t + 300 * t * t)) \
            + 0.02 * rng.standard_normal(samples)
    return out


def timeit(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts)


class Norm(nn.Module):
    """Keras Normalization with mean 0 and variance 1 (unadapted, as in the Go benchmark)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(1))
        self.register_buffer("std", torch.ones(1))

    def forward(self, x):
        return (x - self.mean) / self.std


class KWS(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = Norm()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.c2 = nn.Conv2d(32, 64, 3)
        self.d1 = nn.Linear(64 * 14 * 8, 128)
        self.d2 = nn.Linear(128, 20)
        self.drop1, self.drop2 = nn.Dropout(0.25), nn.Dropout(0.5)

    def forward(self, x):  # (N, 1, 101, 40)
        x = F.avg_pool2d(self.norm(x), (3, 2))  # 33 x 20
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)  # 14 x 8
        x = self.drop1(x).permute(0, 2, 3, 1).flatten(1)
        return F.softmax(self.d2(self.drop2(F.relu(self.d1(x)))), dim=-1)


class CTC(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = Norm()
        # "same" with strides: symmetric padding giving the Keras output sizes
        self.c1 = nn.Conv2d(1, 32, 3, stride=2, padding=1)            # 400x40 -> 200x20
        self.b1 = nn.BatchNorm2d(32)
        self.c2 = nn.Conv2d(32, 32, (5, 3), stride=(4, 2), padding=(2, 1))  # -> 50x10
        self.b2 = nn.BatchNorm2d(32)
        self.g1 = nn.GRU(320, 64, batch_first=True, bidirectional=True)
        self.g2 = nn.GRU(128, 64, batch_first=True, bidirectional=True)
        self.out = nn.Linear(128, 11)

    def forward(self, x):  # (N, 1, 400, 40)
        x = self.b1(F.relu(self.c1(self.norm(x))))
        x = self.b2(F.relu(self.c2(x)))
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], 50, 320)
        x, _ = self.g1(x)
        x, _ = self.g2(x)
        return F.softmax(self.out(x), dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--round", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    base = {"round": a.round, "torch": torch.__version__, "numpy": np.__version__, "threads": a.threads}

    def emit(name, audio_s, med, best):
        print(json.dumps(dict(base, workload=name, audio_s=audio_s, median_ms=round(med * 1e3, 2),
                              audio_s_per_s=round(audio_s / med, 1), best_audio_s_per_s=round(audio_s / best, 1))),
              flush=True)

    y = clips(KWS_BATCH, SR)
    fb = mf.mel_filters(SR, N_FFT, MELS, 0.0, SR / 2, False, "slaney")

    def np_feats():
        out = np.empty((KWS_BATCH, 101, MELS), dtype=np.float32)
        for i in range(KWS_BATCH):
            S = mf.stft(y[i], N_FFT, HOP, WIN, "hann", True, "reflect")
            out[i] = mf.power_to_db((np.abs(S) ** 2) @ fb.T, top_db=80.0)
        return out

    ref = np_feats()
    emit("features-numpy", float(KWS_BATCH), *timeit(np_feats, a.repeats))

    yt = torch.from_numpy(y.astype(np.float32))
    win = torch.from_numpy(mf.window("hann", WIN).astype(np.float32))
    fbt = torch.from_numpy(fb.T.astype(np.float32)).contiguous()  # (257, 40)

    def torch_feats():
        with torch.no_grad():
            S = torch.stft(yt, N_FFT, hop_length=HOP, win_length=WIN, window=win, center=True,
                           pad_mode="reflect", return_complex=True)  # (N, 257, 101)
            mel = (S.real ** 2 + S.imag ** 2).transpose(1, 2) @ fbt  # (N, 101, 40)
            db = 10.0 * torch.log10(torch.clamp(mel, min=1e-10))
            return torch.maximum(db, db.amax(dim=(1, 2), keepdim=True) - 80.0)

    got = torch_feats().numpy()
    err = float(np.max(np.abs(got - ref)))
    if err > 1e-2:
        print("torch features differ from NumPy's by %.3g dB" % err, file=sys.stderr)
    emit("features-torch", float(KWS_BATCH), *timeit(torch_feats, a.repeats))

    for name, model, shape, secs in (("kws-infer", KWS(), (KWS_BATCH, 1, 101, 40), 1.0),
                                     ("ctc-infer", CTC(), (CTC_BATCH, 1, 400, 40), CTC_SAMPLES / SR)):
        model.eval()
        x = -40 + 15 * torch.randn(*shape)

        def run():
            with torch.no_grad():
                return model(x)

        emit(name, shape[0] * secs, *timeit(run, a.repeats))


if __name__ == "__main__":
    main()
