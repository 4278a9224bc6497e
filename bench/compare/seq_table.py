#!/usr/bin/python3
"""Prints the Markdown tables of run.sh's sequence workloads from its JSON lines
(each tagged with its round): median tokens/s of each implementation, and each
round's ratio against the PyTorch run of the same round, by wall-clock time and
by CPU time (tokens per CPU-second of the process, all threads: steadier than
wall-clock time on a machine shared with other work).

    /usr/bin/python3 bench/compare/seq_table.py seq_runs.jsonl
"""
import json
import statistics
import sys

ORDER = ["gokeras-go", "gokeras-openblas", "pytorch"]


def per_cpu(d, kind):
    cpu = d.get(kind + "_cpu_s")
    return d["train_tokens"] / cpu if cpu else None


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    for model in ["lstm", "transformer"]:
        rs = [d for d in runs if d["model"] == model]
        if not rs:
            continue
        rounds = sorted({d["round"] for d in rs})
        by = {(d["impl"], d["round"]): d for d in rs}
        print("%s, %d rounds (ratios: each round against PyTorch's run of that round, then their median):"
              % (model, len(rounds)))
        print()
        print("| implementation | train tokens/s | infer tokens/s | train vs PyTorch | median "
              "| infer vs PyTorch | median | train per CPU-s vs PyTorch | median "
              "| infer per CPU-s vs PyTorch | median |")
        print("|---|---:|---:|---|---:|---|---:|---|---:|---|---:|")
        for impl in ORDER:
            mine = [by[(impl, r)] for r in rounds if (impl, r) in by]
            if not mine:
                continue
            cells = []
            for get in [lambda d: d["train_tokens_per_s"], lambda d: d["infer_tokens_per_s"],
                        lambda d: per_cpu(d, "train"), lambda d: per_cpu(d, "infer")]:
                rat = []
                for r in rounds:
                    if (impl, r) in by and ("pytorch", r) in by:
                        a, b = get(by[(impl, r)]), get(by[("pytorch", r)])
                        if a is not None and b:
                            rat.append(a / b)
                cells.append(" / ".join("%.3f" % v for v in rat) or "n/a")
                cells.append("%.3fx" % statistics.median(rat) if rat else "n/a")
            print("| %s | %s | %s | %s |" % (
                impl, format(statistics.median(d["train_tokens_per_s"] for d in mine), ",.0f"),
                format(statistics.median(d["infer_tokens_per_s"] for d in mine), ",.0f"),
                " | ".join(cells)))
        print()


if __name__ == "__main__":
    main(sys.argv[1])
