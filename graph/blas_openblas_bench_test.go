//go:build openblas

package graph

import (
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// gemmShapes are the float32 products of one training step of the
// 784-256-128-10 MLP at batch 128 and of the CNN's second convolution (a
// chunk of 5 images, 980 positions, 800 = 5·5·32 patch values, 64 filters),
// with their transposes: name, tA, tB, m, n, k.
var gemmShapes = []struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}{
	{"mlp-fwd1", blas.NoTrans, blas.NoTrans, 128, 256, 784},
	{"mlp-fwd2", blas.NoTrans, blas.NoTrans, 128, 128, 256},
	{"mlp-dW1", blas.Trans, blas.NoTrans, 784, 256, 128},
	{"mlp-dX2", blas.NoTrans, blas.Trans, 128, 256, 128},
	{"mlp-infer1", blas.NoTrans, blas.NoTrans, 1024, 256, 784},
	{"mlp-row1", blas.NoTrans, blas.NoTrans, 1, 256, 784},
	{"cnn-conv2", blas.NoTrans, blas.NoTrans, 64, 980, 800},
	{"cnn-conv2-dk", blas.NoTrans, blas.Trans, 64, 800, 980},
	{"cnn-dense", blas.NoTrans, blas.NoTrans, 64, 1024, 3136},
}

// BenchmarkSgemmOpenBLASvsKernel times OpenBLAS's sgemm (at 1 and 2 threads)
// and internal/sgemm (parallel and serial) on gemmShapes, in GFLOP/s: the
// measurement behind the choice of the openblas build's float32 kernel.
func BenchmarkSgemmOpenBLASvsKernel(b *testing.B) {
	old := BLASThreads()
	defer func() { _ = SetBLASThreads(old) }()
	impls := []struct {
		name    string
		threads int
		f       func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	}{
		{"openblas-1t", 1, netlib.Implementation{}.Sgemm},
		{"openblas-2t", 2, netlib.Implementation{}.Sgemm},
		{"kernel", 0, sgemm.Sgemm},
		{"kernel-serial", 0, sgemm.SgemmSerial},
	}
	for _, s := range gemmShapes {
		for _, im := range impls {
			b.Run(fmt.Sprintf("%s/%s", s.name, im.name), func(b *testing.B) {
				if im.threads > 0 {
					if err := SetBLASThreads(im.threads); err != nil {
						b.Fatal(err)
					}
				}
				a, x, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
				for i := range a {
					a[i] = float32(i%13) * 0.1
				}
				for i := range x {
					x[i] = float32(i%7) * 0.1
				}
				lda, ldb := s.k, s.n
				if s.tA == blas.Trans {
					lda = s.m
				}
				if s.tB == blas.Trans {
					ldb = s.k
				}
				for b.Loop() {
					im.f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, x, ldb, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
