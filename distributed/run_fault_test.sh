#!/bin/sh
# Fault test of distributed training (run by run_mpi_test.sh; Open MPI needed):
# 2 ranks train an MLP (float64) for 6 epochs, rank 0 writing a checkpoint every
# 2 epochs (distributed/internal/faultrun). Rank 1 is killed with SIGKILL
# halfway through epoch 4 (after the epoch-2 checkpoint); the job must stop
# (mpirun exits non-zero) within 30 s. A new job resumed from the last
# checkpoint must end with the weights of a run never stopped (at most 1e-12
# apart; bit-identical is expected). Each mpirun is bounded by `timeout`.
# Usage: distributed/run_fault_test.sh (from anywhere).
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
job=
cleanup() {
	if [ -n "$job" ]; then kill "$job" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
mpi="mpirun --allow-run-as-root --oversubscribe -np 2"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# alive PID: the process runs (a zombie left to an init that does not reap is dead).
alive() {
	st=$(ps -o stat= -p "$1" 2>/dev/null || true)
	case "$st" in "" | Z*) return 1 ;; esac
}
go build -tags mpi -o "$tmp/faultrun" ./distributed/internal/faultrun
mkdir "$tmp/ref" "$tmp/killed" "$tmp/resumed"

echo "fault test: uninterrupted 2-rank run"
timeout 60 $mpi "$tmp/faultrun" -dir "$tmp/ref" -weights "$tmp/ref.w"

echo "fault test: 2-rank run, rank 1 killed halfway through epoch 4"
timeout 60 $mpi "$tmp/faultrun" -dir "$tmp/killed" -stall-epoch 3 >"$tmp/killed.log" 2>&1 &
job=$!
i=0
while [ ! -f "$tmp/killed/mid" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$job" 2>/dev/null; then
		echo "FAIL: rank 1 did not reach the middle of epoch 4 within 30 s"; cat "$tmp/killed.log"; exit 1
	fi
	sleep 0.1
done
pid1=$(cat "$tmp/killed/pid.1")
pid0=$(cat "$tmp/killed/pid.0")
start=$(now_ms)
kill -KILL "$pid1"
i=0
while kill -0 "$job" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "FAIL: the job did not stop within 30 s of the kill of rank 1 (it hangs)"; cat "$tmp/killed.log"; exit 1
	fi
	sleep 0.1
done
stopped=$(($(now_ms) - start))
status=0
wait "$job" || status=$?
job=
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
	echo "FAIL: mpirun exited with status $status after a rank was killed (want non-zero, not the timeout's 124)"; cat "$tmp/killed.log"; exit 1
fi
if alive "$pid0"; then
	echo "FAIL: rank 0 (pid $pid0) still runs after mpirun exited"; exit 1
fi
echo "fault test: the job stopped ${stopped} ms after the kill (mpirun status $status; bound 30000 ms)"
last=$(ls "$tmp/killed"/ck-*.safetensors 2>/dev/null | sort -t- -k2 -n | tail -1)
if [ "$(basename "${last:-none}")" != "ck-2.safetensors" ]; then
	echo "FAIL: the last checkpoint is ${last:-none}, want ck-2.safetensors (the kill came in epoch 4)"; exit 1
fi

echo "fault test: 2-rank run resumed from $(basename "$last")"
timeout 60 $mpi "$tmp/faultrun" -dir "$tmp/resumed" -resume "$last" -weights "$tmp/resumed.w"
"$tmp/faultrun" -compare -tol 1e-12 "$tmp/ref.w" "$tmp/resumed.w"
if cmp -s "$tmp/ref.w" "$tmp/resumed.w"; then
	echo "fault test: PASS (resumed weights bit-identical to the uninterrupted run's)"
else
	echo "fault test: PASS (resumed weights within 1e-12 of the uninterrupted run's)"
fi
