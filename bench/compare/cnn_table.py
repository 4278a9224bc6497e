#!/usr/bin/python3
"""Prints the Markdown tables of run.sh's MLP and convolutional workloads
(WORKLOAD=mlp, WORKLOAD=cnn) from their JSON lines (each tagged with its round
and, for the MLP, "model": "mlp"): for the MLP, LeNet-5 and the CNN, the
median over the rounds of each implementation's samples/s, single-row latency
and peak RSS, and each round's ratio against the PyTorch run of the same round
(then their median), by wall-clock time and by CPU time (samples per CPU-second
of the process, all threads: steadier on a machine shared with other work).

    /usr/bin/python3 bench/compare/cnn_table.py cnn_runs.jsonl [PEAK_GFLOPS]

With PEAK_GFLOPS (run.sh passes the measured float32 peak of the machine, a large
OpenBLAS sgemm), each implementation's training GFLOP/s is also given as a
fraction of it: per sample, 6 flops per multiply-add of the forward pass
(forward, and the two backward products) less 2 per multiply-add of the first
layer, whose input gradient neither side computes.
"""
import json
import statistics
import sys

ORDER = ["gokeras-go", "gokeras-openblas", "raw-gorgonia", "pytorch", "pytorch-untuned"]
TITLES = {"mlp": "MLP 784-256-128-10, batch 128", "lenet": "LeNet-5", "cnn": "CNN 32/64 filters, Dense 1024"}


# Multiply-adds of one sample's forward pass, and of its first layer alone.
MACS = {
    "mlp": 784 * 256 + 256 * 128 + 128 * 10,
    "lenet": 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10,
    "cnn": 28 * 28 * 32 * 25 + 14 * 14 * 64 * 800 + 3136 * 1024 + 1024 * 10,
}
FIRST = {"mlp": 784 * 256, "lenet": 28 * 28 * 6 * 25, "cnn": 28 * 28 * 32 * 25}


def per_cpu(d, kind):
    """Samples per CPU-second of training (kind "train") or of the timed inference."""
    cpu = d.get(kind + "_cpu_s")
    n = d["train_samples"] if kind == "train" else d["rows"]
    return n / cpu if cpu else None


def median_or_none(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def main(path, peak=None):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    for model in ["mlp", "lenet", "cnn"]:
        rs = [d for d in runs if d.get("model") == model]
        if not rs:
            continue
        rounds = sorted({d["round"] for d in rs})
        by = {(d["impl"], d["round"]): d for d in rs}
        impls = [i for i in ORDER if any(d["impl"] == i for d in rs)]
        impls += sorted({d["impl"] for d in rs} - set(ORDER))
        print("%s, %d rounds (medians; ratios: each round against PyTorch's run of that round, then their median):"
              % (TITLES[model], len(rounds)))
        print()
        print("| implementation | rows | train samples/s | train GFLOP/s (of peak) | infer samples/s "
              "| predict 1 row p50 (µs) | p99 (µs) "
              "| peak RSS (MB) | train vs PyTorch | median | infer vs PyTorch | median "
              "| train per CPU-s vs PyTorch | infer per CPU-s vs PyTorch |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|")
        for impl in impls:
            mine = [by[(impl, r)] for r in rounds if (impl, r) in by]
            cells = []
            for i, get in enumerate([lambda d: d["train_samples_per_s"], lambda d: d["infer_samples_per_s"],
                                     lambda d: per_cpu(d, "train"), lambda d: per_cpu(d, "infer")]):
                rat = []
                for r in rounds:
                    if (impl, r) in by and ("pytorch", r) in by:
                        a, b = get(by[(impl, r)]), get(by[("pytorch", r)])
                        if a is not None and b:
                            rat.append(a / b)
                if i < 2:
                    cells.append(" / ".join("%.3f" % v for v in rat) or "n/a")
                cells.append("%.3fx" % statistics.median(rat) if rat else "n/a")
            train = median_or_none(d["train_samples_per_s"] for d in mine)
            gf = "n/a"
            if train is not None:
                g = (6 * MACS[model] - 2 * FIRST[model]) * train / 1e9
                gf = "%.1f" % g + (" (%.0f%%)" % (100 * g / peak) if peak else "")
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                impl, format(mine[0]["rows"], ","),
                fmt(train, ",.0f"), gf,
                fmt(median_or_none(d.get("infer_samples_per_s") for d in mine), ",.0f"),
                fmt(median_or_none(d.get("predict_row_p50_us") for d in mine), ",.0f"),
                fmt(median_or_none(d.get("predict_row_p99_us") for d in mine), ",.0f"),
                fmt(median_or_none(d.get("peak_rss_mb") for d in mine), ",.0f"),
                " | ".join(cells)))
        print()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else None)
