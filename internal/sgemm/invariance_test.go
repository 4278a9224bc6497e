package sgemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// TestRowsDoNotDependOnBatch: each row of C is bit-identical whether its row of
// A is multiplied alone (m = 1), in a small batch or in a large, parallel one,
// for every transpose case, beta 0, 1 and another, every micro-kernel and sizes across the block edges (rows
// below smallM skip packing, so this also pins the small-m path to the packed
// one). Models rely on it: a row predicted alone equals the same row predicted
// in a batch.
func TestRowsDoNotDependOnBatch(t *testing.T) { forEachKernel(t, testRowsDoNotDependOnBatch) }

func testRowsDoNotDependOnBatch(t *testing.T) {
	if kern == nil {
		t.Skip("gonum's Sgemm, the fallback, sums in an order that depends on the shape")
	}
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct{ m, n, k int }{
		{7, 10, 3}, {13, 33, 300}, {150, 17, 513}, {290, 256, 784},
		{3, 1100, 600}, {40, 1100, 600}, {5, 40, 9},
	} {
		for _, beta := range []float32{0, 1, 0.3} {
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					m, n, k := tc.m, tc.n, tc.k
					a, b := randSlice(rnd, m*k), randSlice(rnd, k*n)
					lda, ldb := k, n
					if tA == blas.Trans {
						lda = m
					}
					if tB == blas.Trans {
						ldb = k
					}
					c0 := randSlice(rnd, m*n) // C before the product, read when beta is not 0
					full := append([]float32(nil), c0...)
					Sgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, beta, full, n)
					for _, i := range []int{0, m / 2, m - 1} {
						row := make([]float32, k) // row i of op(A)
						for p := 0; p < k; p++ {
							if tA == blas.Trans {
								row[p] = a[p*lda+i]
							} else {
								row[p] = a[i*lda+p]
							}
						}
						one := append([]float32(nil), c0[i*n:(i+1)*n]...)
						Sgemm(blas.NoTrans, tB, 1, n, k, 1.5, row, k, b, ldb, beta, one, n)
						for j := 0; j < n; j++ {
							if math.Float32bits(one[j]) != math.Float32bits(full[i*n+j]) {
								t.Fatalf("m=%d n=%d k=%d tA=%c tB=%c beta=%v: row %d col %d alone %v, in the batch %v",
									m, n, k, tA, tB, beta, i, j, one[j], full[i*n+j])
							}
						}
					}
				}
			}
		}
	}
}

// TestSmallMSplitMatchesSerial: a single row against a B large enough
// (smallParThreshold elements) for the small-m path to split its columns over
// goroutines gives the serial path's bits.
func TestSmallMSplitMatchesSerial(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MB")
	}
	rnd := rand.New(rand.NewPCG(13, 14))
	k, n := 4096, smallParThreshold/4096+17
	a, b := randSlice(rnd, 2*k), randSlice(rnd, k*n)
	for m := 1; m <= 2; m++ {
		par, ser := make([]float32, m*n), make([]float32, m*n)
		Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, par, n)
		SgemmSerial(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, ser, n)
		for j := range par {
			if math.Float32bits(par[j]) != math.Float32bits(ser[j]) {
				t.Fatalf("m=%d: element %d is %v split, %v serial", m, j, par[j], ser[j])
			}
		}
	}
}
