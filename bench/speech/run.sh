#!/usr/bin/env bash
# Speech speed, seconds of audio per second: bench/speech_test.go (pure Go and
# -tags openblas) against bench/speech/torch_speech.py (NumPy, PyTorch), in turn,
# ROUNDS times; prints the median table and each round's ratios.
#
#   bench/speech/run.sh               # 3 rounds, about 1.5 min on 2 cores
#   ROUNDS=5 BENCHTIME=10x bench/speech/run.sh
set -euo pipefail
ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-5x}
THREADS=${THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-$(mktemp -d)}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
JEMALLOC=${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}
torch_env() { # as bench/compare/run.sh
	if [ -f "$JEMALLOC" ]; then
		LD_PRELOAD="$JEMALLOC" OMP_WAIT_POLICY=PASSIVE "$@"
	else
		MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE "$@"
	fi
}
(cd "$root" && go test -c -o "$OUT/bench-go.test" ./bench)
(cd "$root" && CGO_LDFLAGS=-lopenblas go test -tags openblas -c -o "$OUT/bench-ob.test" ./bench)
runs="$OUT/speech_runs.jsonl"
: >"$runs"
gojson() { # impl round < go test -bench output
	awk -v impl="$1" -v r="$2" '/^BenchmarkSpeech/ && /audio-s\/s/ {
		n=$1; sub(/-[0-9]+$/, "", n)
		for (i=1;i<NF;i++) if ($(i+1)=="audio-s/s") v=$i
		printf "{\"round\": %d, \"impl\": \"%s\", \"workload\": \"%s\", \"audio_s_per_s\": %s}\n", r, impl, n, v }'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r: go ..." >&2
	(cd "$root/bench" && "$OUT/bench-go.test" -test.run '^$' -test.bench Speech -test.benchtime "$BENCHTIME") | gojson go "$r" | tee -a "$runs" >&2
	echo "round $r: go openblas ..." >&2
	(cd "$root/bench" && OPENBLAS_NUM_THREADS=$THREADS "$OUT/bench-ob.test" -test.run '^$' -test.bench Speech -test.benchtime "$BENCHTIME") | gojson openblas "$r" | tee -a "$runs" >&2
	echo "round $r: numpy + pytorch ..." >&2
	torch_env "$PYTHON" "$here/torch_speech.py" --threads "$THREADS" --round "$r" | tee -a "$runs" >&2
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" - "$runs" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
val = {}
for x in rows:
    impl = x.get("impl")
    w = x["workload"]
    if impl is None:  # python
        impl = {"features-numpy": "numpy"}.get(w, "pytorch")
        w = {"features-numpy": "features", "features-torch": "features", "kws-infer": "kws", "ctc-infer": "ctc"}[w]
    else:
        w = {"BenchmarkSpeechFeatures/serial": "features", "BenchmarkSpeechFeatures/parallel": "features-par",
             "BenchmarkSpeechKWSInfer": "kws", "BenchmarkSpeechCTCInfer": "ctc"}[w]
    val.setdefault((impl, w), {})[x["round"]] = x["audio_s_per_s"]
rounds = sorted({x["round"] for x in rows})
cols = [("go", "Go pure"), ("openblas", "Go OpenBLAS"), ("numpy", "NumPy"), ("pytorch", "PyTorch")]
wl = [("features", "log-mel, 64 x 1 s clips (Go: 1 goroutine)"), ("features-par", "log-mel, 64 x 1 s clips (Go: 2 goroutines)"),
      ("kws", "kws inference, batch 64 x 1 s"), ("ctc", "digits-ctc inference, batch 16 x 3.99 s")]
def med(k):
    v = val.get(k)
    return statistics.median(v.values()) if v else None
f = lambda v: "-" if v is None else "{:,.0f}".format(v)
print("| workload (audio-s/s, median of %d rounds) | %s |" % (len(rounds), " | ".join(c[1] for c in cols)))
print("|---|" + "---|" * len(cols))
for w, label in wl:
    print("| %s | %s |" % (label, " | ".join(f(med((c, w))) for c, _ in cols)))
print()
print("| workload | round | Go / NumPy | Go / PyTorch | Go OpenBLAS / PyTorch |")
print("|---|---|---|---|---|")
for w, label in wl:
    ref = "features" if w == "features-par" else w
    for r in rounds:
        g, o = val.get(("go", w), {}).get(r), val.get(("openblas", w), {}).get(r)
        n, p = val.get(("numpy", ref), {}).get(r), val.get(("pytorch", ref), {}).get(r)
        rat = lambda a, b: "-" if a is None or b is None else "%.2f" % (a / b)
        print("| %s | %d | %s | %s | %s |" % (w, r, rat(g, n), rat(g, p), rat(o, p)))
PY
echo "JSON lines: $runs" >&2
