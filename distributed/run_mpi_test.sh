#!/bin/sh
# Runs the distributed package's MPI tests (-tags mpi) on 2 ranks:
# the collectives on MPI_COMM_WORLD and the equivalence of 2 ranks at global
# batch 128 with one process at batch 128; then, on 2 ranks, the fault test
# (run_fault_test.sh: a rank killed mid-epoch stops the job, which resumes from
# its last checkpoint to the weights of a run never stopped) and the command
# line (run_demo_mpi_test.sh: mpirun -np 2 demo run iris -distributed -json).
# Skips (exit 0) when Open MPI is not installed.
# Usage: distributed/run_mpi_test.sh [-np N] (from anywhere).
set -eu
np=2
if [ "${1:-}" = "-np" ]; then np=$2; fi
if ! command -v mpirun >/dev/null 2>&1 || ! pkg-config --exists ompi 2>/dev/null; then
	echo "SKIP distributed MPI tests: Open MPI not found; install it with:"
	echo "  apt-get install -y --no-install-recommends openmpi-bin libopenmpi-dev pkg-config"
	exit 0
fi
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go vet -tags mpi ./distributed
go test -tags mpi -c -o "$tmp/distributed.test" ./distributed
# One process (MPI singleton): the collectives on a group of one.
"$tmp/distributed.test" -test.count=1
# Every rank runs the tests; rank 0 also trains the one-process reference.
# mpirun runs as root only with --allow-run-as-root (CI containers).
mpirun --allow-run-as-root --oversubscribe -np "$np" \
	"$tmp/distributed.test" -test.count=1 -test.v -test.run 'MPI'
sh distributed/run_fault_test.sh
sh distributed/run_demo_mpi_test.sh
