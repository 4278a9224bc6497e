//go:build !openblas

package graph

import "github.com/pkg/errors"

// BLAS names the BLAS implementation in use: "gonum" (pure Go) in the default
// build; build with -tags openblas for OpenBLAS.
const BLAS = "gonum"

// SetBLASThreads sets how many threads OpenBLAS uses for one matrix product (n >=
// 1). It is process-wide, like the environment variable OPENBLAS_NUM_THREADS it
// overrides. Default in the openblas build: the environment's OPENBLAS_NUM_THREADS
// (or GOTO_NUM_THREADS / OMP_NUM_THREADS) when set, else 1. In this pure-Go build
// it only checks n: gonum's BLAS runs on the calling goroutine.
func SetBLASThreads(n int) error {
	if n < 1 {
		return errors.Errorf("SetBLASThreads: %d threads, want at least 1", n)
	}
	return nil
}

// BLASThreads is the number of threads OpenBLAS uses for one matrix product (1 in
// the pure-Go build).
func BLASThreads() int { return 1 }
