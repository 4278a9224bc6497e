//go:build openblas

package main

import (
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// peakGFLOPs measures the machine's float32 peak as run.sh reports it: the
// best of 5 OpenBLAS sgemm calls on 2048×2048 matrices (after one warm-up),
// with OpenBLAS's current thread count, in GFLOP/s.
func peakGFLOPs() (float64, error) {
	const n = 2048
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(i%17)*0.01, float32(i%13)*0.01
	}
	best := 0.0
	for i := 0; i < 6; i++ {
		t0 := time.Now()
		netlib.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
		if s := time.Since(t0).Seconds(); i > 0 {
			best = max(best, 2*float64(n)*n*n/s/1e9)
		}
	}
	return best, nil
}
