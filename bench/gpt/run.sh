#!/usr/bin/env bash
# Side by side: the gpt-opticks recipe in gokeras (pure Go, and OpenBLAS when
# libopenblas-dev is installed) and in PyTorch at its best (jemalloc preloaded
# when Debian's libjemalloc2 is there, else glibc's mmap/trim thresholds raised;
# 2 threads, OMP_WAIT_POLICY=PASSIVE), same data, model, initialization,
# optimizer and steps. Rounds alternate the implementations; each prints one
# JSON line (held-out loss, tokens/s). Flags go to both sides, e.g.
#   bench/gpt/run.sh --max-train-tokens 65537 --max-test-tokens 16385   # a quick speed run
#   ROUNDS=1 bench/gpt/run.sh                                          # the full recipe (~20 min per side)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
go build -o /tmp/gpt-gokeras ./bench/gpt/gokeras
have_blas=0
if CGO_LDFLAGS=-lopenblas go build -tags openblas -o /tmp/gpt-gokeras-openblas ./bench/gpt/gokeras 2>/dev/null; then have_blas=1; fi
torch_env=(env OMP_WAIT_POLICY=PASSIVE)
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1 || true)
if [ -n "$jemalloc" ]; then
  torch_env+=(LD_PRELOAD="$jemalloc")
else
  torch_env+=(MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456)
fi
for r in $(seq "$rounds"); do
  echo "== round $r"
  "${torch_env[@]}" /usr/bin/python3 bench/gpt/torch_gpt.py "$@"
  /tmp/gpt-gokeras "$@"
  if [ "$have_blas" = 1 ]; then OPENBLAS_NUM_THREADS=2 /tmp/gpt-gokeras-openblas "$@"; fi
done
