#!/usr/bin/env bash
# Side-by-side benchmark of gokeras (pure Go and -tags openblas), the raw Gorgonia
# loop and PyTorch on the 784-256-128-10 MLP; see bench/compare/README.md.
#
#   bench/compare/run.sh                      # 5 rounds, 60,000 rows, 3 epochs (4-7 min on 2 cores)
#   ROUNDS=5 ROWS=20000 EPOCHS=2 bench/compare/run.sh
#
# Each round runs the implementations one after the other (go, openblas, raw,
# torch, gomlx), so that a slow spell of the machine hits them all alike. gomlx
# is GoMLX v0.26.0 on its pure-Go backend (bench/compare/gomlx, its own module):
# GOMLX=fast (default: its matrix-product gradient as two matrix products),
# GOMLX=shipped (GoMLX's own gradient, ~15x slower: set GOMLX_ROWS=6400 or so),
# GOMLX=off to leave it out; it is skipped with a message when it does not build.
# GoMLX adds about a minute of CPU time a round. The first table shows the
# median of each metric over the rounds; the second the best round of each
# (highest speed, lowest latency), the better guide on a machine shared with
# other work. The load average is printed before and after. The JSON lines are
# kept in $OUT.
#
# Sequence workloads (bench/compare/seq against torch_lstm.py / torch_transformer.py):
#
#   WORKLOAD=lstm bench/compare/run.sh        # LSTM language model, 3 rounds
#   WORKLOAD=transformer bench/compare/run.sh # 2-block pre-norm GPT, 3 rounds
#   WORKLOAD=seq ROUNDS=5 SEQS=640 bench/compare/run.sh   # both
#
# Each round runs gokeras (pure Go), gokeras (-tags openblas) and PyTorch in turn
# for each model; the tables give training and inference tokens/s (median over
# the rounds) and each round's ratio against PyTorch's run of the same round.
#
# Convolutional workload (bench/compare/gokeras -model lenet|cnn, torch_cnn.py and
# bench/compare/gomlx -model lenet|cnn; 28x28x1 synthetic images, batch 64):
#
#   WORKLOAD=cnn bench/compare/run.sh         # LeNet-5 and the 32/64-filter CNN, 3 rounds
#   WORKLOAD=cnn ROUNDS=3 LENET_ROWS=6400 CNN_ROWS=1280 GOMLX_LENET_ROWS=320 GOMLX_CNN_ROWS=64 bench/compare/run.sh
#
# Each round runs, for LeNet then the CNN, gokeras (pure Go), gokeras (-tags
# openblas), PyTorch (with torch_env below) and GoMLX (GOMLX as above; far
# slower, so it trains and predicts fewer rows, GOMLX_LENET_ROWS and
# GOMLX_CNN_ROWS, and skips the single-row latency of the CNN, ~60 ms a row).
# One epoch (EPOCHS) each; cnn_table.py prints the tables: medians over the
# rounds and each round's ratio against PyTorch's run of the same round. About
# 3 minutes for 3 rounds with the defaults on 2 quiet cores (183 s on 2026-11-30).
set -euo pipefail

WORKLOAD=${WORKLOAD:-mlp}     # mlp, lstm, transformer, seq (= lstm and transformer) or cnn
case "$WORKLOAD" in
mlp) ROUNDS=${ROUNDS:-5} ;;
lstm | transformer | seq | cnn) ROUNDS=${ROUNDS:-3} ;;
*)
	echo "unknown WORKLOAD=$WORKLOAD (want mlp, lstm, transformer, seq or cnn)" >&2
	exit 2
	;;
esac
ROWS=${ROWS:-60000}
if [ "$WORKLOAD" = cnn ]; then EPOCHS=${EPOCHS:-1}; else EPOCHS=${EPOCHS:-3}; fi
GOMLX=${GOMLX:-fast}          # fast, shipped or off (mlp and cnn workloads)
case "$GOMLX" in fast | shipped | off) ;; *)
	echo "unknown GOMLX=$GOMLX (want fast, shipped or off)" >&2
	exit 2
	;;
esac
THREADS=${THREADS:-2}         # OpenBLAS and PyTorch threads
RAW_BUILD=${RAW_BUILD:-openblas} # which build runs the raw Gorgonia loop: go or openblas
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 with PyTorch 1.13
OUT=${OUT:-$(mktemp -d)}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$OUT"
bin_go="$OUT/gokeras-go"
bin_ob="$OUT/gokeras-openblas"

# PyTorch at its best: glibc's default allocator maps and unmaps fresh pages for
# the large gradient buffers at every step (3x slower training); jemalloc
# (Debian libjemalloc2) when installed, else glibc with high mmap/trim thresholds.
JEMALLOC=${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}
torch_env() {
	if [ -f "$JEMALLOC" ]; then
		LD_PRELOAD="$JEMALLOC" OMP_WAIT_POLICY=PASSIVE "$@"
	else
		MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE "$@"
	fi
}

# machine_line prints the Machine: line of the report.
machine_line() {
	local mem_gb model
	mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1024/1024}' /proc/meminfo)
	model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	echo "Machine: $(nproc) CPUs ($model), ${mem_gb} GiB memory; $(go version | cut -d' ' -f3-);" \
		"PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'); $(date -u +%Y-%m-%d)."
}

if [ "$WORKLOAD" = cnn ]; then
	LENET_ROWS=${LENET_ROWS:-6400}
	CNN_ROWS=${CNN_ROWS:-1280}
	GOMLX_LENET_ROWS=${GOMLX_LENET_ROWS:-320}
	GOMLX_CNN_ROWS=${GOMLX_CNN_ROWS:-64}
	echo "building the Go program twice (pure Go, -tags openblas) ..." >&2
	(cd "$root" && go build -o "$bin_go" ./bench/compare/gokeras)
	(cd "$root" && CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$bin_ob" ./bench/compare/gokeras)
	impls="go ob torch"
	if [ "$GOMLX" != off ]; then
		bin_gomlx="$OUT/gomlx-simplego"
		echo "building bench/compare/gomlx (GoMLX, pure Go, its own module) ..." >&2
		if (cd "$here/gomlx" && CGO_ENABLED=0 go build -o "$bin_gomlx" .) >&2; then
			impls="$impls gomlx"
		else
			echo "skipping GoMLX: bench/compare/gomlx did not build" >&2
		fi
	fi
	gomlx_dot=gomlx
	[ "$GOMLX" = fast ] && gomlx_dot=fast
	rows_of() { if [ "$1" = lenet ]; then echo "$LENET_ROWS"; else echo "$CNN_ROWS"; fi; }
	crun_go() { "$bin_go" -model "$1" -rows "$(rows_of "$1")" -epochs "$EPOCHS"; }
	crun_ob() { OPENBLAS_NUM_THREADS=$THREADS "$bin_ob" -model "$1" -rows "$(rows_of "$1")" -epochs "$EPOCHS"; }
	crun_torch() {
		torch_env "$PYTHON" "$here/torch_cnn.py" --model "$1" --rows "$(rows_of "$1")" --epochs "$EPOCHS" --threads "$THREADS"
	}
	crun_gomlx() {
		if [ "$1" = lenet ]; then
			"$bin_gomlx" -model lenet -rows "$GOMLX_LENET_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot"
		else
			"$bin_gomlx" -model cnn -rows "$GOMLX_CNN_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot" -latency=false
		fi
	}
	runs="$OUT/cnn_runs.jsonl"
	: >"$runs"
	tag() { sed "s/^{/{\"round\": $1, /"; }
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s)
	for r in $(seq 1 "$ROUNDS"); do
		for m in lenet cnn; do
			for impl in $impls; do
				echo "round $r/$ROUNDS: $m $impl ..." >&2
				"crun_$impl" "$m" | tag "$r" | tee -a "$runs" >&2
			done
		done
	done
	elapsed=$(($(date +%s) - start))
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	gomlx_note="GoMLX (dot gradient $gomlx_dot): $GOMLX_LENET_ROWS LeNet rows, $GOMLX_CNN_ROWS CNN rows, no CNN single-row latency"
	case " $impls " in *" gomlx "*) ;; *) gomlx_note="GoMLX: not run" ;; esac
	machine_line
	echo "Workload: LeNet-5 on $LENET_ROWS rows, the 32/64-filter CNN on $CNN_ROWS rows, $EPOCHS epoch(s) timed" \
		"(graph building included), synthetic 28x28x1 images, batch 64, float32, Adam 1e-3; $THREADS BLAS threads;" \
		"$gomlx_note; $ROUNDS rounds (run took ${elapsed}s)."
	echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
	echo
	"$PYTHON" "$here/cnn_table.py" "$runs"
	echo "JSON lines: $runs" >&2
	exit 0
fi

if [ "$WORKLOAD" != mlp ]; then
	SEQS=${SEQS:-320}
	models=$WORKLOAD
	[ "$WORKLOAD" = seq ] && models="lstm transformer"
	bin_sgo="$OUT/seq-go"
	bin_sob="$OUT/seq-openblas"
	echo "building bench/compare/seq twice (pure Go, -tags openblas) ..." >&2
	(cd "$root" && go build -o "$bin_sgo" ./bench/compare/seq)
	(cd "$root" && CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$bin_sob" ./bench/compare/seq)
	runs="$OUT/seq_runs.jsonl"
	: >"$runs"
	tag() { sed "s/^{/{\"round\": $1, /"; }
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s)
	for r in $(seq 1 "$ROUNDS"); do
		for m in $models; do
			echo "round $r/$ROUNDS: $m gokeras-go ..." >&2
			"$bin_sgo" -model "$m" -seqs "$SEQS" | tag "$r" | tee -a "$runs" >&2
			echo "round $r/$ROUNDS: $m gokeras-openblas ..." >&2
			OPENBLAS_NUM_THREADS=$THREADS "$bin_sob" -model "$m" -seqs "$SEQS" | tag "$r" | tee -a "$runs" >&2
			echo "round $r/$ROUNDS: $m pytorch ..." >&2
			torch_env "$PYTHON" "$here/torch_$m.py" --seqs "$SEQS" --threads "$THREADS" | tag "$r" | tee -a "$runs" >&2
		done
	done
	elapsed=$(($(date +%s) - start))
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1024/1024}' /proc/meminfo)
	model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	echo "Machine: $(nproc) CPUs ($model), ${mem_gb} GiB memory; $(go version | cut -d' ' -f3-);" \
		"PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'); $(date -u +%Y-%m-%d)."
	echo "Workload: $models; $SEQS sequences of 64 tokens timed (one shuffled epoch after a 2-batch" \
		"warm-up), batch 32, float32, Adam 1e-3; $THREADS BLAS threads; $ROUNDS rounds (run took ${elapsed}s)."
	echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
	echo
	"$PYTHON" "$here/seq_table.py" "$runs"
	echo "JSON lines: $runs" >&2
	exit 0
fi

echo "building the Go program twice (pure Go, -tags openblas) ..." >&2
(cd "$root" && go build -o "$bin_go" ./bench/compare/gokeras)
(cd "$root" && CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$bin_ob" ./bench/compare/gokeras)

GOMLX_ROWS=${GOMLX_ROWS:-$ROWS}
impls="go ob raw torch"
if [ "$GOMLX" != off ]; then
	bin_gomlx="$OUT/gomlx-simplego"
	echo "building bench/compare/gomlx (GoMLX, pure Go, its own module) ..." >&2
	if (cd "$here/gomlx" && CGO_ENABLED=0 go build -o "$bin_gomlx" .) >&2; then
		impls="$impls gomlx"
	else
		echo "skipping GoMLX: bench/compare/gomlx did not build (needs github.com/gomlx/gomlx v0.26.0 in the module cache or a module proxy)" >&2
	fi
fi
gomlx_dot=gomlx
[ "$GOMLX" = fast ] && gomlx_dot=fast
gomlx_note="GoMLX: $GOMLX, $GOMLX_ROWS rows"
case " $impls " in *" gomlx "*) ;; *) gomlx_note="GoMLX: not run" ;; esac

run_go() { "$bin_go" -rows "$ROWS" -epochs "$EPOCHS" "$@"; }
run_gomlx() { "$bin_gomlx" -model mlp -rows "$GOMLX_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot"; }
run_ob() { OPENBLAS_NUM_THREADS=$THREADS "$bin_ob" -rows "$ROWS" -epochs "$EPOCHS" "$@"; }
run_raw() { if [ "$RAW_BUILD" = go ]; then run_go -impl raw; else run_ob -impl raw; fi; }
run_torch() { torch_env "$PYTHON" "$here/torch_mlp.py" --rows "$ROWS" --epochs "$EPOCHS" --threads "$THREADS"; }

runs="$OUT/runs.jsonl"
: >"$runs"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	for impl in $impls; do
		echo "round $r/$ROUNDS: $impl ..." >&2
		"run_$impl" | tee -a "$runs" >&2
	done
done
elapsed=$(($(date +%s) - start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1024/1024}' /proc/meminfo)
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "Machine: $(nproc) CPUs ($model), ${mem_gb} GiB memory; $(go version | cut -d' ' -f3-);" \
	"PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'); $(date -u +%Y-%m-%d)."
echo "Workload: $ROWS rows x $EPOCHS epochs, batch 128, float32, Adam 1e-3;" \
	"$THREADS BLAS threads; $ROUNDS rounds (run took ${elapsed}s); raw Gorgonia in the $RAW_BUILD build;" \
	"$gomlx_note."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
echo
"$PYTHON" - "$runs" <<'PY'
import json, statistics, sys

order = ["gokeras-go", "gokeras-openblas", "raw-gorgonia", "pytorch"]
runs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        d = json.loads(line)
        runs.setdefault(d["impl"], []).append(d)

def pick(impl, key, how):
    vals = [d[key] for d in runs.get(impl, []) if d.get(key) is not None]
    return how(vals) if vals else None

def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)

def ratio(a, b):
    return "n/a" if a is None or not b else "%.2fx" % (a / b)

def table(title, fast, low):
    """fast picks among speeds (higher is better), low among latencies and memory."""
    t_ref = pick("pytorch", "train_samples_per_s", fast)
    i_ref = pick("pytorch", "infer_samples_per_s", fast)
    print(title)
    print()
    print("| implementation | train samples/s | infer samples/s | predict 1 row p50 (µs) "
          "| p99 (µs) | peak RSS (MB) | train vs PyTorch | infer vs PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for impl in order + sorted(set(runs) - set(order)):
        if impl not in runs:
            continue
        name = impl
        if impl == "raw-gorgonia":
            name += " (%s)" % runs[impl][0]["blas"]
        tr = pick(impl, "train_samples_per_s", fast)
        inf = pick(impl, "infer_samples_per_s", fast)
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, fmt(tr, ",.0f"), fmt(inf, ",.0f"),
            fmt(pick(impl, "predict_row_p50_us", low), ".0f"),
            fmt(pick(impl, "predict_row_p99_us", low), ".0f"),
            fmt(pick(impl, "peak_rss_mb", low), ".0f"),
            ratio(tr, t_ref), ratio(inf, i_ref)))
    print()

table("Median of %d rounds:" % len(runs.get("pytorch", [None])), statistics.median, statistics.median)
table("Best round of each metric:", max, min)
PY
echo
echo "JSON lines: $runs" >&2
