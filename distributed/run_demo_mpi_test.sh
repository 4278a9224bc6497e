#!/bin/sh
# The command line under mpirun (run by run_mpi_test.sh; Open MPI needed):
# `mpirun -np 2 demo run iris -distributed -json` prints exactly one JSON line
# (rank 0's) with "ranks":2, whose test accuracy equals the one-process run's
# within 0.034 (one of iris' 30 test rows) and test loss within 1e-4 (the
# float32 model sums its gradients in another order: measured 5e-9 apart).
# Usage: distributed/run_demo_mpi_test.sh (from anywhere).
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags mpi -o "$tmp/demo" ./cmd/demo
cd "$tmp"
one=$(timeout 60 ./demo run iris -verbose 0 -json | tail -1)
timeout 60 mpirun --allow-run-as-root --oversubscribe -np 2 ./demo run iris -distributed -verbose 0 -json >two.out
n=$(grep -c '^{' two.out || true)
two=$(grep '^{' two.out || true)
# test metric NAME of a JSON line
metric() { printf '%s\n' "$1" | sed -n 's/.*"test":{\([^}]*\)}.*/\1/p' | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }
if [ "$n" -ne 1 ] || ! printf '%s\n' "$two" | grep -q '"ranks":2}$'; then
	echo "FAIL: mpirun -np 2 demo run iris -distributed -json printed $n JSON lines, want one with \"ranks\":2:"; cat two.out; exit 1
fi
a1=$(metric "$one" accuracy) a2=$(metric "$two" accuracy) l1=$(metric "$one" loss) l2=$(metric "$two" loss)
if ! awk -v a1="$a1" -v a2="$a2" -v l1="$l1" -v l2="$l2" 'function abs(x) { return x < 0 ? -x : x }
	BEGIN { if (a1 == "" || a2 == "" || abs(a1 - a2) > 0.034 || abs(l1 - l2) > 1e-4) exit 1 }'; then
	echo "FAIL: 2 ranks: test accuracy $a2, loss $l2; one process: $a1, $l1"; exit 1
fi
echo "demo under mpirun: PASS (2 ranks: test accuracy $a2, loss $l2; one process: $a1, $l1)"
