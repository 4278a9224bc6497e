//go:build !openblas

package graph

import (
	"github.com/gokeras/gokeras/internal/sgemm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
)

// BLAS names the BLAS implementation in use: "gonum" (pure Go) in the default
// build; build with -tags openblas for OpenBLAS. Its float32 matrix product is
// internal/sgemm's packed AVX2/FMA kernel when the CPU has both (GEMMKernel
// says which), gonum's own otherwise.
const BLAS = "gonum"

// On amd64 CPUs with AVX2 and FMA, every float32 matrix product (Gorgonia's and
// gonum's blas32) runs in internal/sgemm's Go-assembly kernel, 5-7x faster than
// gonum's Sgemm on one core; other products stay gonum's. Set once, at start-up.
func init() {
	if sgemm.HasKernel() {
		impl := sgemm.Implementation{}
		G.Use(impl)
		blas32.Use(impl)
	}
}

// GEMMKernel names the float32 matrix-product kernel in use: in the pure-Go
// build internal/sgemm's, "avx512-6x32" or "avx2-fma-6x16" (sgemm.KernelName),
// or "gonum" on CPUs without AVX2 and FMA; with -tags openblas, see there.
func GEMMKernel() string { return sgemm.KernelName() }

// SetBLASThreads sets how many threads OpenBLAS uses for one matrix product (n >=
// 1). It is process-wide, like the environment variable OPENBLAS_NUM_THREADS it
// overrides. Default in the openblas build: the environment's OPENBLAS_NUM_THREADS
// (or GOTO_NUM_THREADS / OMP_NUM_THREADS) when set, else 1. In this pure-Go build
// it only checks n: large float32 products split themselves over GOMAXPROCS
// goroutines, the rest run on the calling goroutine.
func SetBLASThreads(n int) error {
	if n < 1 {
		return errors.Errorf("SetBLASThreads: %d threads, want at least 1", n)
	}
	return nil
}

// BLASThreads is the number of threads OpenBLAS uses for one matrix product (1 in
// the pure-Go build).
func BLASThreads() int { return 1 }
