#!/usr/bin/python3
"""Reference fixtures for gokeras/audio, written independently of the Go code.

Implements librosa's definitions (stft, filters.mel, feature.melspectrogram,
power_to_db, feature.mfcc) directly in NumPy (librosa itself is not installed)
and writes, next to this script:

  signal.wav       the test signal: 2400 samples of 16-bit PCM mono at 16 kHz
                   (written with Python's wave module)
  fixtures.json    manifest: the feature configurations, and for each array its
                   name, shape and offset (in float64s) into fixtures.bin; the
                   expected samples of every fmt_*.wav file
  fixtures.bin     the arrays, little-endian float64, time-major ([frames][bins])
                   as the Go package returns them
  fmt_*.wav        small WAV files in several encodings, written with the wave
                   module or packed by hand with struct

Usage:
  python3 make_fixtures.py           write the fixtures
  python3 make_fixtures.py --bench   time NumPy log-mel + MFCC on 10 s of audio
                                     (config A), to compare with the Go benchmark
"""
import json
import os
import struct
import sys
import time
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SR = 16000


# ---------------------------------------------------------------- features

def window(kind, n):
    k = np.arange(n)
    if kind == "hann":  # periodic
        return 0.5 - 0.5 * np.cos(2 * np.pi * k / n)
    if kind == "hann_symmetric":
        return 0.5 - 0.5 * np.cos(2 * np.pi * k / (n - 1))
    if kind == "hamming":  # periodic
        return 0.54 - 0.46 * np.cos(2 * np.pi * k / n)
    if kind == "rect":
        return np.ones(n)
    raise ValueError(kind)


def stft(y, n_fft, hop, win_length, win, center, pad_mode):
    """librosa.stft, returned time-major: [frames, 1 + n_fft // 2]."""
    w = window(win, win_length)
    lpad = (n_fft - win_length) // 2
    w = np.pad(w, (lpad, n_fft - win_length - lpad))
    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    n_frames = 1 + (len(y) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    return np.fft.rfft(y[idx] * w[None, :], axis=-1)


def hz_to_mel(f, htk):
    f = np.asanyarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m, htk):
    m = np.asanyarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filters(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    """librosa.filters.mel in float64: [n_mels, 1 + n_fft // 2]."""
    fftfreqs = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    if norm == "slaney":
        enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
        weights *= enorm[:, None]
    return weights


def power_to_db(s, ref=1.0, amin=1e-10, top_db=80.0):
    log_spec = 10.0 * np.log10(np.maximum(amin, s))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref))
    if top_db is not None and top_db > 0:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def dct2_ortho(x):
    """Orthonormal DCT-II along the last axis via one FFT (Makhoul's method)."""
    n = x.shape[-1]
    v = np.concatenate([x[..., ::2], x[..., 1::2][..., ::-1]], axis=-1)
    V = np.fft.fft(v, axis=-1)
    k = np.arange(n)
    y = np.real(V * np.exp(-1j * np.pi * k / (2 * n))) * 2
    y[..., 0] *= np.sqrt(1.0 / (4 * n))
    y[..., 1:] *= np.sqrt(1.0 / (2 * n))
    return y


def features(y, cfg):
    S = stft(y, cfg["n_fft"], cfg["hop"], cfg["win_length"], cfg["window"], cfg["center"], cfg["pad_mode"])
    spec = np.abs(S) ** cfg["power"]
    fb = mel_filters(SR, cfg["n_fft"], cfg["n_mels"], cfg["fmin"], cfg["fmax"], cfg["htk"], cfg["norm"])
    mel = spec @ fb.T
    if cfg["log_offset"] > 0:
        logmel = np.log(mel + cfg["log_offset"])
    else:
        logmel = power_to_db(mel, top_db=cfg["top_db"])
    mfcc = dct2_ortho(logmel)[:, :cfg["n_mfcc"]]
    return {"stft_re": S.real, "stft_im": S.imag, "spectrogram": spec, "mel_filterbank": fb,
            "mel": mel, "logmel": logmel, "mfcc": mfcc}


CONFIGS = {
    # speech-style front end, Slaney mel + Slaney norm, reflect padding, dB
    "A": dict(n_fft=512, win_length=400, hop=160, window="hann", center=True, pad_mode="reflect",
              power=2.0, n_mels=40, fmin=0.0, fmax=8000.0, htk=False, norm="slaney",
              top_db=80.0, log_offset=0.0, n_mfcc=13,
              keep=["spectrogram", "mel_filterbank", "mel", "logmel", "mfcc"]),
    # HTK mel, no norm, zero padding, magnitude, ln(mel + 1e-6)
    "B": dict(n_fft=256, win_length=256, hop=128, window="hann", center=True, pad_mode="constant",
              power=1.0, n_mels=23, fmin=20.0, fmax=7600.0, htk=True, norm=None,
              top_db=80.0, log_offset=1e-6, n_mfcc=10,
              keep=["stft_re", "stft_im", "spectrogram", "mel_filterbank", "mel", "logmel", "mfcc"]),
    # the Go package's defaults
    "defaults": dict(n_fft=2048, win_length=2048, hop=512, window="hann", center=True, pad_mode="reflect",
                     power=2.0, n_mels=128, fmin=0.0, fmax=8000.0, htk=False, norm="slaney",
                     top_db=80.0, log_offset=0.0, n_mfcc=20,
                     keep=["logmel", "mfcc"]),
}


def test_signal(n=2400, seed=0):
    """Tones, a chirp and noise, then digital silence from 3/4 on, as int16."""
    t = np.arange(n) / SR
    y = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)
         + 0.15 * np.sin(2 * np.pi * (100 * t + 20000 * t * t))
         + 0.05 * np.random.default_rng(seed).standard_normal(n))
    q = np.clip(np.round(y * 32768), -32768, 32767).astype(np.int16)
    q[3 * n // 4:] = 0
    return q


# ---------------------------------------------------------------- WAV files

def write_with_wave(path, rate, sampwidth, frames_bytes, channels):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(sampwidth)
        w.setframerate(rate)
        w.writeframes(frames_bytes)


def chunk(cid, body):
    out = cid + struct.pack("<I", len(body)) + body
    if len(body) % 2:
        out += b"\x00"
    return out


GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def riff(chunks):
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def int24_bytes(vals):
    return b"".join(struct.pack("<i", int(v))[:3] for v in vals)


def wav_fixtures():
    rng = np.random.default_rng(1)
    n = 32
    out = {}

    def ints(bits, ch):
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        v = rng.integers(lo, hi + 1, size=(n, ch), dtype=np.int64)
        v[0, :] = lo  # extremes
        v[1, :] = hi
        return v

    # 8-bit unsigned mono, wave module
    u8 = rng.integers(0, 256, size=n, dtype=np.int64)
    u8[0], u8[1] = 0, 255
    write_with_wave(os.path.join(HERE, "fmt_pcm8_mono.wav"), 8000, 1, bytes(u8.astype(np.uint8)), 1)
    out["fmt_pcm8_mono.wav"] = dict(rate=8000, encoding="PCM8", samples=[[(int(b) - 128) / 128 for b in u8]])

    # 16-bit stereo, wave module
    v = ints(16, 2)
    write_with_wave(os.path.join(HERE, "fmt_pcm16_stereo.wav"), 22050, 2, v.astype("<i2").tobytes(), 2)
    out["fmt_pcm16_stereo.wav"] = dict(rate=22050, encoding="PCM16",
                                       samples=[[int(x) / 32768 for x in v[:, c]] for c in range(2)])

    # 24-bit mono, wave module (odd data size: 32*3 = 96 even; use 33 frames)
    v = ints(24, 1)
    v = np.concatenate([v, [[12345]]])
    write_with_wave(os.path.join(HERE, "fmt_pcm24_mono.wav"), 48000, 3, int24_bytes(v[:, 0]), 1)
    out["fmt_pcm24_mono.wav"] = dict(rate=48000, encoding="PCM24", samples=[[int(x) / 2 ** 23 for x in v[:, 0]]])

    # 32-bit stereo, wave module
    v = ints(32, 2)
    write_with_wave(os.path.join(HERE, "fmt_pcm32_stereo.wav"), 44100, 4, v.astype("<i4").tobytes(), 2)
    out["fmt_pcm32_stereo.wav"] = dict(rate=44100, encoding="PCM32",
                                       samples=[[int(x) / 2 ** 31 for x in v[:, c]] for c in range(2)])

    # 32-bit float mono, by hand: fmt size 18, fact chunk, odd-sized LIST chunk
    f = rng.uniform(-1, 1, size=n).astype(np.float32)
    f[0], f[1] = -1.0, 1.0
    fmt = struct.pack("<HHIIHHH", 3, 1, 16000, 16000 * 4, 4, 32, 0)
    blob = riff([chunk(b"fmt ", fmt), chunk(b"fact", struct.pack("<I", n)),
                 chunk(b"LIST", b"INFOISFT\x05\x00\x00\x00abcd\x00"),  # 17 bytes: odd, padded
                 chunk(b"data", f.astype("<f4").tobytes())])
    open(os.path.join(HERE, "fmt_float32_mono.wav"), "wb").write(blob)
    out["fmt_float32_mono.wav"] = dict(rate=16000, encoding="Float32", samples=[[float(x) for x in f]])

    # 64-bit float stereo, WAVE_FORMAT_EXTENSIBLE, by hand
    d = rng.uniform(-1, 1, size=(n, 2))
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 2, 8000, 8000 * 16, 16, 64, 22, 64, 0x3) + struct.pack("<H", 3) + GUID_TAIL
    blob = riff([chunk(b"fmt ", fmt), chunk(b"fact", struct.pack("<I", n)),
                 chunk(b"data", d.astype("<f8").tobytes())])
    open(os.path.join(HERE, "fmt_float64_stereo_ext.wav"), "wb").write(blob)
    out["fmt_float64_stereo_ext.wav"] = dict(rate=8000, encoding="Float64",
                                             samples=[[float(x) for x in d[:, c]] for c in range(2)])

    # 24-bit, 3 channels, WAVE_FORMAT_EXTENSIBLE with 20 valid bits, 33 frames
    # (odd data size, 297 bytes + pad), then an unknown chunk after the data
    v = ints(24, 3)
    v = np.concatenate([v, [[-7, 0, 7]]])
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 3, 32000, 32000 * 9, 9, 24, 22, 20, 0) + struct.pack("<H", 1) + GUID_TAIL
    blob = riff([chunk(b"fmt ", fmt), chunk(b"data", int24_bytes(v.reshape(-1))),
                 chunk(b"zzzz", b"\x01\x02\x03")])
    open(os.path.join(HERE, "fmt_pcm24_3ch_ext.wav"), "wb").write(blob)
    out["fmt_pcm24_3ch_ext.wav"] = dict(rate=32000, encoding="PCM24",
                                        samples=[[int(x) / 2 ** 23 for x in v[:, c]] for c in range(3)])
    return out


# ---------------------------------------------------------------- main

def write_fixtures():
    q = test_signal()
    write_with_wave(os.path.join(HERE, "signal.wav"), SR, 2, q.astype("<i2").tobytes(), 1)
    y = q.astype(np.float64) / 32768

    arrays = []
    manifest = {"signal": "signal.wav", "sample_rate": SR, "configs": {}, "arrays": {}}
    offset = 0
    for name, cfg in CONFIGS.items():
        feats = features(y, cfg)
        manifest["configs"][name] = {k: v for k, v in cfg.items() if k != "keep"}
        for key in cfg["keep"]:
            a = np.ascontiguousarray(feats[key], dtype="<f8")
            manifest["arrays"][name + "/" + key] = {"shape": list(a.shape), "offset": offset}
            arrays.append(a.reshape(-1))
            offset += a.size
    np.concatenate(arrays).astype("<f8").tofile(os.path.join(HERE, "fixtures.bin"))
    manifest["wavs"] = wav_fixtures()

    try:  # cross-check the hand-written DCT against scipy where it exists
        import scipy.fft
        x = np.random.default_rng(2).standard_normal((3, 40))
        assert np.allclose(dct2_ortho(x), scipy.fft.dct(x, type=2, norm="ortho", axis=-1), atol=1e-12)
    except ImportError:
        pass
    with open(os.path.join(HERE, "fixtures.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print("wrote %d float64s to fixtures.bin" % offset)


def bench(seconds=10.0, repeats=20):
    n = int(seconds * SR)
    y = np.tile(test_signal().astype(np.float64) / 32768, n // 2400 + 1)[:n]
    cfg = CONFIGS["A"]
    fb = mel_filters(SR, cfg["n_fft"], cfg["n_mels"], cfg["fmin"], cfg["fmax"], cfg["htk"], cfg["norm"])

    def run():
        S = stft(y, cfg["n_fft"], cfg["hop"], cfg["win_length"], cfg["window"], True, "reflect")
        mel = (np.abs(S) ** 2) @ fb.T
        return dct2_ortho(power_to_db(mel))[:, :cfg["n_mfcc"]]

    run()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    print("numpy %s: MFCC (config A, n_fft 512, hop 160, 40 mels, 13 MFCC) on %.0f s of 16 kHz audio: "
          "best of %d %.2f ms = %.0f s of audio per second"
          % (np.__version__, seconds, repeats, best * 1e3, seconds / best))


if __name__ == "__main__":
    if "--bench" in sys.argv[1:]:
        bench()
    else:
        write_fixtures()
