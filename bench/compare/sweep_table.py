#!/usr/bin/python3
"""Prints the Markdown tables of run.sh's scaling sweep (WORKLOAD=sweep) from the
JSON lines of bench/compare/gokeras -sweep and torch_sweep.py, each tagged with
its round ("round": r; untagged lines count as round 0):

- batch sweep, training and inference: rows = batch size, columns = each
  implementation at each thread count, samples/s (median over the rounds), and
  for gokeras the ratio against PyTorch at the same thread count (each round's
  ratio against PyTorch's run of that round, then their median; >1 is faster);
- width sweep: rows = hidden width, cells µs per training step (GFLOP/s), the
  medians over the rounds, and the speed ratio against PyTorch (PyTorch's step
  time / this one's, per round, then their median).

    /usr/bin/python3 bench/compare/sweep_table.py sweep_runs.jsonl
"""
import json
import statistics
import sys

ORDER = ["gokeras-go", "gokeras-openblas", "pytorch"]


def gflops(d):
    """The GFLOP/s of a width-sweep line, from its step time: 128·(4·784·W + 6·W·10)
    flops per step (forward and weight gradients of both layers, the input
    gradient of the second layer only; recomputed here so that lines written
    with an older formula read the same)."""
    w, us = d.get("width"), d.get("step_us")
    if not w or not us:
        return None
    return 128 * (4 * 784 * w + 6 * w * 10) / (us * 1e-6) / 1e9


def median_or_none(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def columns(rs):
    """(impl, threads) pairs present in rs, by thread count, then ORDER."""
    impls = ORDER + sorted({d["impl"] for d in rs} - set(ORDER))
    pairs = {(d["impl"], d["threads"]) for d in rs}
    return [(i, t) for t in sorted({p[1] for p in pairs}) for i in impls if (i, t) in pairs]


def table(rs, size_key, title, cell, faster):
    """One table: rows = values of size_key, per (impl, threads) the cell(runs)
    of its rounds, and for non-PyTorch impls the median per-round ratio
    faster(mine, pytorch's)."""
    if not rs:
        return
    by = {(d["impl"], d["threads"], d[size_key], d.get("round", 0)): d for d in rs}
    rounds = sorted({d.get("round", 0) for d in rs})
    cols = columns(rs)
    head, align = ["batch" if size_key == "batch" else "width"], ["---:"]
    for impl, t in cols:
        head.append("%s, %d thr" % (impl, t))
        align.append("---:")
        if impl != "pytorch":
            head.append("vs PyTorch")
            align.append("---:")
    print("%s, %d round(s):" % (title, len(rounds)))
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(align) + "|")
    for size in sorted({d[size_key] for d in rs}):
        row = [format(size, ",")]
        for impl, t in cols:
            mine = [by[(impl, t, size, r)] for r in rounds if (impl, t, size, r) in by]
            row.append(cell(mine) if mine else "n/a")
            if impl == "pytorch":
                continue
            rat = []
            for r in rounds:
                a, b = by.get((impl, t, size, r)), by.get(("pytorch", t, size, r))
                if a is not None and b is not None:
                    v = faster(a, b)
                    if v is not None:
                        rat.append(v)
            row.append("%.2fx" % statistics.median(rat) if rat else "n/a")
        print("| " + " | ".join(row) + " |")
    print()


def ratio(key):
    """Per-round ratio of key, mine over PyTorch's (None when either is missing)."""
    def f(a, b):
        return a[key] / b[key] if a.get(key) is not None and b.get(key) else None
    return f


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    batch = [d for d in runs if d.get("sweep") == "batch"]
    width = [d for d in runs if d.get("sweep") == "width"]
    for key, what in [("train_samples_per_s", "training"), ("infer_samples_per_s", "inference")]:
        table(batch, "batch", "Batch sweep (784-256-128-10 MLP, one epoch), %s samples/s" % what,
              lambda ds, k=key: fmt(median_or_none(d.get(k) for d in ds), ",.0f"), ratio(key))
    table(width, "width", "Width sweep (784-W-10, batch 128), µs per training step (GFLOP/s)",
          lambda ds: "%s (%s)" % (fmt(median_or_none(d["step_us"] for d in ds), ",.0f"),
                                  fmt(median_or_none(gflops(d) for d in ds), ".1f")),
          lambda a, b: b["step_us"] / a["step_us"] if a["step_us"] else None)


if __name__ == "__main__":
    main(sys.argv[1])
