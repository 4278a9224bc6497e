//go:build openblas

package graph

// The directive below links OpenBLAS into any program built with -tags openblas,
// so `go build -tags openblas` needs no CGO_LDFLAGS.

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"os"

	"github.com/gokeras/gokeras/internal/sgemm"
	"github.com/pkg/errors"
)

// defaultBLASThreads is OpenBLAS's thread count when neither OPENBLAS_NUM_THREADS
// nor GOTO_NUM_THREADS / OMP_NUM_THREADS is set: 1, because gokeras' own ops
// (convolutions, im2col, pooling) already split their work over goroutines, and
// OpenBLAS threads spinning beside them made the 32/64 5x5 CNN 1.67x slower and the
// 784-256-128-10 MLP 1.1x slower on 2 cores (DESIGN.md, measured 2026-11-30).
const defaultBLASThreads = 1

func init() {
	for _, v := range []string{"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"} {
		if os.Getenv(v) != "" {
			return // the user chose
		}
	}
	C.openblas_set_num_threads(C.int(defaultBLASThreads))
}

// SetBLASThreads sets how many threads OpenBLAS uses for one matrix product (n >=
// 1). It is process-wide (OpenBLAS has one thread pool), like the environment
// variable OPENBLAS_NUM_THREADS it overrides. Default: the environment's
// OPENBLAS_NUM_THREADS (or GOTO_NUM_THREADS / OMP_NUM_THREADS) when set, else 1.
// In the pure-Go build it only checks n: gonum's BLAS runs on the calling goroutine.
func SetBLASThreads(n int) error {
	if n < 1 {
		return errors.Errorf("SetBLASThreads: %d threads, want at least 1", n)
	}
	C.openblas_set_num_threads(C.int(n))
	return nil
}

// BLASThreads is the number of threads OpenBLAS uses for one matrix product (1 in
// the pure-Go build).
func BLASThreads() int { return int(C.openblas_get_num_threads()) }

// GEMMKernel names the float32 matrix-product kernel in use: in this build
// "openblas+" and internal/sgemm's kernel, "avx512-6x32" or "avx2-fma-6x16"
// (OpenBLAS and internal/sgemm share the products; see hybridBLAS) on CPUs
// with AVX2 and FMA, else "openblas".
func GEMMKernel() string {
	if sgemm.HasKernel() {
		return "openblas+" + sgemm.KernelName()
	}
	return "openblas"
}
