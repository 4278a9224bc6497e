package sgemm

import (
	"fmt"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are m×n×k products typical of the models in this module: an
// MLP layer, im2col convolutions, square matrices.
var benchShapes = []struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}{
	{"mlp_128x256x784", blas.NoTrans, blas.NoTrans, 128, 256, 784},
	{"mlp_bwdW_784x256x128", blas.Trans, blas.NoTrans, 784, 256, 128},
	{"mlp_bwdX_128x784x256", blas.NoTrans, blas.Trans, 128, 784, 256},
	{"conv_64x576x800", blas.NoTrans, blas.NoTrans, 64, 576, 800},
	{"conv_32x576x800_TN", blas.Trans, blas.NoTrans, 32, 576, 800},
	{"small_32x32x32", blas.NoTrans, blas.NoTrans, 32, 32, 32},
	{"sq_128", blas.NoTrans, blas.NoTrans, 128, 128, 128},
	{"sq_512", blas.NoTrans, blas.NoTrans, 512, 512, 512},
	{"sq_1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	{"sq_1024_TT", blas.Trans, blas.Trans, 1024, 1024, 1024},
}

type sgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

func benchGemm(b *testing.B, f sgemmFunc) {
	for _, procs := range []int{1, 2} {
		for _, s := range benchShapes {
			b.Run(fmt.Sprintf("%s/p%d", s.name, procs), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				lda, ldb := s.k, s.n
				if s.tA != blas.NoTrans {
					lda = s.m
				}
				if s.tB != blas.NoTrans {
					ldb = s.k
				}
				x := make([]float32, s.m*s.k)
				y := make([]float32, s.k*s.n)
				z := make([]float32, s.m*s.n)
				for i := range x {
					x[i] = float32(i%7) - 3
				}
				for i := range y {
					y[i] = float32(i%5) - 2
				}
				f(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					f(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkSgemm(b *testing.B) { benchGemm(b, Sgemm) }

func BenchmarkGonum(b *testing.B) { benchGemm(b, gonum.Implementation{}.Sgemm) }

// BenchmarkThin compares thin and tiny shapes (GEMV-like, outer
// products) with gonum, for both transpose settings.
func BenchmarkThin(b *testing.B) {
	for _, s := range [][3]int{{1, 256, 784}, {1, 1024, 3136}, {2, 256, 784}, {4, 256, 784}, {8, 256, 784}, {256, 1, 784}, {256, 4, 784}, {784, 256, 1}, {784, 256, 4}, {16, 16, 16}, {8, 8, 8}, {3, 3, 3}} {
		for _, tr := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for name, f := range map[string]sgemmFunc{"ours": Sgemm, "gonum": gonum.Implementation{}.Sgemm} {
				b.Run(fmt.Sprintf("%dx%dx%d/%c/%s", s[0], s[1], s[2], tr, name), func(b *testing.B) {
					m, n, k := s[0], s[1], s[2]
					x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
					for i := range x {
						x[i] = 1
					}
					for i := range y {
						y[i] = 1
					}
					lda, ldb := k, n
					if tr == blas.Trans {
						lda, ldb = m, k
					}
					for i := 0; i < b.N; i++ {
						f(tr, tr, m, n, k, 1, x, lda, y, ldb, 0, z, n)
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkKernel measures each micro-kernel alone on one K-panel held in
// cache: an upper bound for Sgemm.
func BenchmarkKernel(b *testing.B) {
	if !hasKernel {
		b.Skip("no assembly kernel")
	}
	for _, ks := range supportedKernels() {
		b.Run(ks.name, func(b *testing.B) {
			ap := make([]float32, mr*kc)
			bp := make([]float32, ks.nr*kc)
			c := make([]float32, mr*ks.nr)
			for i := 0; i < b.N; i++ {
				ks.run(kc, &ap[0], &bp[0], &c[0], ks.nr, 1, 1, 1)
			}
			b.ReportMetric(2*float64(mr*ks.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkPack measures the packing of a 256×256 panel of B (for each
// micro-kernel's panel width) and a 144×256 block of A, in floats per second.
func BenchmarkPack(b *testing.B) {
	if !hasKernel {
		b.Skip("packing uses assembly that only exists with the kernel")
	}
	const k, n = 256, 256
	src := make([]float32, k*n)
	dst := make([]float32, k*n)
	for _, trans := range []bool{false, true} {
		for _, ks := range supportedKernels() {
			b.Run(fmt.Sprintf("B%d/trans=%v", ks.nr, trans), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					packB(ks, dst, trans, src, 256, 0, 0, k, n)
				}
				b.ReportMetric(float64(k*n*b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
			})
		}
		b.Run(fmt.Sprintf("A/trans=%v", trans), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				packA(dst, trans, src, 256, 0, 0, 144, k)
			}
			b.ReportMetric(float64(k*144*b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
		})
	}
}
