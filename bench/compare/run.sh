#!/usr/bin/env bash
# Side-by-side benchmark of gokeras (pure Go and -tags openblas), the raw Gorgonia
# loop and PyTorch on the 784-256-128-10 MLP; see bench/compare/README.md.
#
#   bench/compare/run.sh                      # 5 rounds, 60,000 rows, 3 epochs (4-7 min on 2 cores)
#   ROUNDS=5 ROWS=20000 EPOCHS=2 bench/compare/run.sh
#
# Each round runs the implementations one after the other (go, openblas, raw,
# torch, untuned torch, gomlx), so that a slow spell of the machine hits them
# all alike. gomlx
# is GoMLX v0.26.0 on its pure-Go backend (bench/compare/gomlx, its own module):
# GOMLX=fast (default: its matrix-product gradient as two matrix products),
# GOMLX=shipped (GoMLX's own gradient, ~15x slower: set GOMLX_ROWS=6400 or so),
# GOMLX=off to leave it out; it is skipped with a message when it does not build.
# GoMLX adds about a minute of CPU time a round. cnn_table.py prints the table:
# the median of each metric over the rounds, and each round's ratio against
# PyTorch's run of the same round (then their median); the float32 peak of the
# machine (the best 2048^3 sgemm of OpenBLAS and internal/sgemm, measured first) and each training speed's
# fraction of it. The load average is printed before and after. The JSON lines
# are kept in $OUT.
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
#
# Scaling sweep (bench/compare/gokeras -sweep batch|width against torch_sweep.py):
#
#   WORKLOAD=sweep bench/compare/run.sh       # 2 rounds
#   SWEEP_QUICK=1 ROUNDS=1 WORKLOAD=sweep bench/compare/run.sh   # batches 8, 128; widths 256, 512
#
# Each round, for 1 then 2 threads and for each sweep (batch: the 784-256-128-10
# MLP at batch 1 to 1024, one epoch of 4096 rows and Predict of them; width:
# 784-W-10 at batch 128, W = 256 to 4096, median of 20 steps), runs gokeras
# (pure Go, GOMAXPROCS=threads), gokeras (-tags openblas, GOMAXPROCS and
# OPENBLAS_NUM_THREADS=threads) and PyTorch (torch_env, --threads) in turn
# (THREADS is not used); sweep_table.py prints samples/s against batch size and
# µs per step and GFLOP/s against width, medians over the rounds, with each
# round's ratio against PyTorch's run at the same thread count.
set -euo pipefail

WORKLOAD=${WORKLOAD:-mlp}     # mlp, lstm, transformer, seq (= lstm and transformer), cnn or sweep
case "$WORKLOAD" in
mlp) ROUNDS=${ROUNDS:-5} ;;
lstm | transformer | seq | cnn) ROUNDS=${ROUNDS:-3} ;;
sweep) ROUNDS=${ROUNDS:-2} ;;
*)
	echo "unknown WORKLOAD=$WORKLOAD (want mlp, lstm, transformer, seq, cnn or sweep)" >&2
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
THREADS=${THREADS:-2}         # PyTorch threads, and the threads of the peak measurement
# OB_THREADS: OpenBLAS threads of the gokeras -tags openblas runs. Default 1,
# gokeras' own default (graph.SetBLASThreads): its float32 products then all
# run in internal/sgemm, over the cores, and OpenBLAS threads spinning after
# large products no longer slow the goroutines beside them (measured
# 2026-11-30: CNN training 725/645 samples/s with 1, 599/532 with 2).
OB_THREADS=${OB_THREADS:-1}
RAW_BUILD=${RAW_BUILD:-openblas} # which build runs the raw Gorgonia loop: go or openblas
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 with PyTorch 1.13
OUT=${OUT:-$(mktemp -d)}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$OUT"
bin_go="$OUT/gokeras-go"
bin_ob="$OUT/gokeras-openblas"

# PyTorch at its best: glibc's default allocator maps and unmaps fresh pages for
# the large gradient buffers at every step (3x slower MLP training). TORCH_ALLOC
# picks the allocator PyTorch runs with: tuned (the default: glibc with high
# mmap/trim thresholds, measured the faster of the two on this machine, see
# bench/RESULTS.md), jemalloc (Debian libjemalloc2, LD_PRELOAD) or default
# (glibc untouched). With UNTUNED=1 (the default) the mlp and cnn workloads also
# run PyTorch with glibc untouched each round, as "pytorch-untuned", to keep
# that figure beside the tuned one; ratios are always against "pytorch".
TORCH_ALLOC=${TORCH_ALLOC:-tuned}
JEMALLOC=${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}
UNTUNED=${UNTUNED:-1}
case "$TORCH_ALLOC" in
tuned | default) ;;
jemalloc)
	if [ ! -f "$JEMALLOC" ]; then
		echo "TORCH_ALLOC=jemalloc: no $JEMALLOC (apt-get install libjemalloc2)" >&2
		exit 2
	fi
	;;
*)
	echo "unknown TORCH_ALLOC=$TORCH_ALLOC (want tuned, jemalloc or default)" >&2
	exit 2
	;;
esac
torch_env() {
	case "$TORCH_ALLOC" in
	jemalloc) LD_PRELOAD="$JEMALLOC" OMP_WAIT_POLICY=PASSIVE "$@" ;;
	default) OMP_WAIT_POLICY=PASSIVE "$@" ;;
	*) MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE "$@" ;;
	esac
}
# torch_untuned runs PyTorch with glibc's allocator untouched; its JSON lines
# are renamed "pytorch-untuned".
torch_untuned() { OMP_WAIT_POLICY=PASSIVE "$@" | sed 's/"impl": *"pytorch"/"impl": "pytorch-untuned"/'; }

# measure_peak sets peak to the float32 peak of the machine with $THREADS
# threads (the best of 5 2048^3 sgemm calls of OpenBLAS and of internal/sgemm;
# bench/compare/gokeras -peak), once the openblas binary is built, and peak_gemm
# to the one that reached it; both empty when it fails.
measure_peak() {
	local line
	line=$(GOMAXPROCS=$THREADS OPENBLAS_NUM_THREADS=$THREADS "$bin_ob" -peak 2>/dev/null) || true
	peak=$(sed -n 's/.*"peak_gflops": *\([0-9.]*\).*/\1/p' <<<"$line")
	peak_gemm=$(sed -n 's/.*"peak_gemm": *"\([^"]*\)".*/\1/p' <<<"$line")
}

# build_twice builds the Go command $1 (bench/compare/gokeras or
# bench/compare/seq) into $2 (pure Go) and $3 (-tags openblas, which links
# -lopenblas itself).
build_twice() {
	echo "building $1 twice (pure Go, -tags openblas) ..." >&2
	(cd "$root" && go build -o "$2" "./$1")
	(cd "$root" && go build -tags openblas -o "$3" "./$1")
}

# add_gomlx builds bench/compare/gomlx (GoMLX, pure Go, its own module) into
# $bin_gomlx and adds gomlx to $impls, unless GOMLX=off or it does not build.
add_gomlx() {
	[ "$GOMLX" = off ] && return 0
	bin_gomlx="$OUT/gomlx-simplego"
	echo "building bench/compare/gomlx (GoMLX, pure Go, its own module) ..." >&2
	if (cd "$here/gomlx" && CGO_ENABLED=0 go build -o "$bin_gomlx" .) >&2; then
		impls="$impls gomlx"
	else
		echo "skipping GoMLX: bench/compare/gomlx did not build (needs github.com/gomlx/gomlx v0.26.0 in the module cache or a module proxy)" >&2
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

if [ "$WORKLOAD" = sweep ]; then
	build_twice bench/compare/gokeras "$bin_go" "$bin_ob"
	runs="$OUT/sweep_runs.jsonl"
	: >"$runs"
	tag() { sed "s/^{/{\"round\": $1, /"; }
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s)
	for r in $(seq 1 "$ROUNDS"); do
		for t in 1 2; do
			for k in batch width; do
				echo "round $r/$ROUNDS: $k sweep, $t thread(s), gokeras-go ..." >&2
				GOMAXPROCS=$t "$bin_go" -sweep "$k" | tag "$r" | tee -a "$runs" >&2
				echo "round $r/$ROUNDS: $k sweep, $t thread(s), gokeras-openblas ..." >&2
				GOMAXPROCS=$t OPENBLAS_NUM_THREADS=$t "$bin_ob" -sweep "$k" | tag "$r" | tee -a "$runs" >&2
				echo "round $r/$ROUNDS: $k sweep, $t thread(s), pytorch ..." >&2
				torch_env "$PYTHON" "$here/torch_sweep.py" --sweep "$k" --threads "$t" | tag "$r" | tee -a "$runs" >&2
			done
		done
	done
	elapsed=$(($(date +%s) - start))
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	machine_line
	quick=""
	[ "${SWEEP_QUICK:-}" = 1 ] && quick=" SWEEP_QUICK=1 (batches 8 and 128 on 512 rows, widths 256 and 512, 5 timed steps);"
	echo "Workload: scaling sweep, float32, Adam 1e-3, 1 and 2 threads (GOMAXPROCS, OPENBLAS_NUM_THREADS," \
		"torch.set_num_threads);$quick $ROUNDS rounds (run took ${elapsed}s)."
	echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
	echo
	"$PYTHON" "$here/sweep_table.py" "$runs"
	echo "JSON lines: $runs" >&2
	exit 0
fi

if [ "$WORKLOAD" = cnn ]; then
	LENET_ROWS=${LENET_ROWS:-6400}
	CNN_ROWS=${CNN_ROWS:-1280}
	GOMLX_LENET_ROWS=${GOMLX_LENET_ROWS:-320}
	GOMLX_CNN_ROWS=${GOMLX_CNN_ROWS:-64}
	build_twice bench/compare/gokeras "$bin_go" "$bin_ob"
	impls="go ob torch"
	[ "$UNTUNED" = 1 ] && impls="$impls untuned"
	add_gomlx
	gomlx_dot=gomlx
	[ "$GOMLX" = fast ] && gomlx_dot=fast
	rows_of() { if [ "$1" = lenet ]; then echo "$LENET_ROWS"; else echo "$CNN_ROWS"; fi; }
	crun_go() { "$bin_go" -model "$1" -rows "$(rows_of "$1")" -epochs "$EPOCHS"; }
	crun_ob() { OPENBLAS_NUM_THREADS=$OB_THREADS "$bin_ob" -model "$1" -rows "$(rows_of "$1")" -epochs "$EPOCHS"; }
	crun_torch() {
		torch_env "$PYTHON" "$here/torch_cnn.py" --model "$1" --rows "$(rows_of "$1")" --epochs "$EPOCHS" --threads "$THREADS"
	}
	crun_untuned() {
		torch_untuned "$PYTHON" "$here/torch_cnn.py" --model "$1" --rows "$(rows_of "$1")" --epochs "$EPOCHS" --threads "$THREADS"
	}
	crun_gomlx() {
		if [ "$1" = lenet ]; then
			"$bin_gomlx" -model lenet -rows "$GOMLX_LENET_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot"
		else
			"$bin_gomlx" -model cnn -rows "$GOMLX_CNN_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot" -latency=false
		fi
	}
	measure_peak
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
		"(graph building included), synthetic 28x28x1 images, batch 64, float32, Adam 1e-3; PyTorch $THREADS threads, OpenBLAS $OB_THREADS;" \
		"$gomlx_note; $ROUNDS rounds (run took ${elapsed}s)."
	echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
	echo "Float32 peak: ${peak:-n/a} GFLOP/s (best of 5 sgemm calls, 2048^3, of OpenBLAS and internal/sgemm: ${peak_gemm:-n/a}; $THREADS threads; before the rounds)."
	echo
	"$PYTHON" "$here/cnn_table.py" "$runs" $peak
	echo "JSON lines: $runs" >&2
	exit 0
fi

if [ "$WORKLOAD" != mlp ]; then
	SEQS=${SEQS:-320}
	models=$WORKLOAD
	[ "$WORKLOAD" = seq ] && models="lstm transformer"
	bin_sgo="$OUT/seq-go"
	bin_sob="$OUT/seq-openblas"
	build_twice bench/compare/seq "$bin_sgo" "$bin_sob"
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
			OPENBLAS_NUM_THREADS=$OB_THREADS "$bin_sob" -model "$m" -seqs "$SEQS" | tag "$r" | tee -a "$runs" >&2
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
		"warm-up), batch 32, float32, Adam 1e-3; PyTorch $THREADS threads, OpenBLAS $OB_THREADS; $ROUNDS rounds (run took ${elapsed}s)."
	echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
	echo
	"$PYTHON" "$here/seq_table.py" "$runs"
	echo "JSON lines: $runs" >&2
	exit 0
fi

build_twice bench/compare/gokeras "$bin_go" "$bin_ob"

GOMLX_ROWS=${GOMLX_ROWS:-$ROWS}
impls="go ob raw torch"
[ "$UNTUNED" = 1 ] && impls="$impls untuned"
add_gomlx
gomlx_dot=gomlx
[ "$GOMLX" = fast ] && gomlx_dot=fast
gomlx_note="GoMLX: $GOMLX, $GOMLX_ROWS rows"
case " $impls " in *" gomlx "*) ;; *) gomlx_note="GoMLX: not run" ;; esac

run_go() { "$bin_go" -rows "$ROWS" -epochs "$EPOCHS" "$@"; }
run_gomlx() { "$bin_gomlx" -model mlp -rows "$GOMLX_ROWS" -epochs "$EPOCHS" -dot "$gomlx_dot"; }
run_ob() { OPENBLAS_NUM_THREADS=$OB_THREADS "$bin_ob" -rows "$ROWS" -epochs "$EPOCHS" "$@"; }
run_raw() { if [ "$RAW_BUILD" = go ]; then run_go -impl raw; else run_ob -impl raw; fi; }
run_torch() { torch_env "$PYTHON" "$here/torch_mlp.py" --rows "$ROWS" --epochs "$EPOCHS" --threads "$THREADS"; }
run_untuned() { torch_untuned "$PYTHON" "$here/torch_mlp.py" --rows "$ROWS" --epochs "$EPOCHS" --threads "$THREADS"; }

measure_peak
runs="$OUT/runs.jsonl"
: >"$runs"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	for impl in $impls; do
		echo "round $r/$ROUNDS: $impl ..." >&2
		"run_$impl" | sed "s/^{/{\"round\": $r, \"model\": \"mlp\", /" | tee -a "$runs" >&2
	done
done
elapsed=$(($(date +%s) - start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1024/1024}' /proc/meminfo)
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "Machine: $(nproc) CPUs ($model), ${mem_gb} GiB memory; $(go version | cut -d' ' -f3-);" \
	"PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'); $(date -u +%Y-%m-%d)."
echo "Workload: $ROWS rows x $EPOCHS epochs, batch 128, float32, Adam 1e-3;" \
	"PyTorch $THREADS threads, OpenBLAS $OB_THREADS; $ROUNDS rounds (run took ${elapsed}s); raw Gorgonia in the $RAW_BUILD build;" \
	"$gomlx_note."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
echo "Float32 peak: ${peak:-n/a} GFLOP/s (best of 5 sgemm calls, 2048^3, of OpenBLAS and internal/sgemm: ${peak_gemm:-n/a}; $THREADS threads; before the rounds)."
echo
"$PYTHON" "$here/cnn_table.py" "$runs" $peak
echo
echo "JSON lines: $runs" >&2
