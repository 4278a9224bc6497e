package main

import (
	"time"

	"github.com/gokeras/gokeras/internal/sgemm"
	"gonum.org/v1/gonum/blas"
)

// peakGEMM is one float32 matrix product whose speed bounds the machine's
// float32 peak.
type peakGEMM struct {
	name string
	f    func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// peakGFLOPs measures the machine's float32 peak as run.sh reports it: the
// best of 5 calls (after one warm-up) of each float32 matrix product of the
// build on 2048×2048 matrices, in GFLOP/s, and the name of the product that
// reached it. The products are internal/sgemm's (GOMAXPROCS goroutines) and,
// in the openblas build, OpenBLAS's (its current thread count): on a CPU with
// AVX-512, internal/sgemm's kernel uses it and Debian's OpenBLAS 0.3.21 may
// not.
func peakGFLOPs() (float64, string) {
	const n = 2048
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(i%17)*0.01, float32(i%13)*0.01
	}
	best, name := 0.0, ""
	for _, g := range append([]peakGEMM{{"internal/sgemm " + sgemm.KernelName(), sgemm.Sgemm}}, otherPeakGEMMs()...) {
		for i := 0; i < 6; i++ {
			t0 := time.Now()
			g.f(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
			if s := time.Since(t0).Seconds(); i > 0 && 2*float64(n)*n*n/s/1e9 > best {
				best, name = 2*float64(n)*n*n/s/1e9, g.name
			}
		}
	}
	return best, name
}
