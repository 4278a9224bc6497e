//go:build openblas

package graph

import (
	"github.com/gokeras/gokeras/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the openblas build tag, the matrix products (Gorgonia's and gonum's) run in
// OpenBLAS through cgo (blas_openblas_link.go links -lopenblas and sets its thread
// count; see SetBLASThreads), except the float32 products that internal/sgemm's
// kernel does faster on CPUs with AVX2 and FMA (see hybridBLAS). Set once, at
// start-up.
func init() {
	var impl blas.Float32 = netlib.Implementation{}
	if sgemm.HasKernel() {
		impl = hybridBLAS{}
	}
	G.Use(impl.(G.BLAS))
	blas32.Use(impl)
	blas64.Use(netlib.Implementation{})
}

// BLAS names the BLAS implementation in use: "openblas" in this build.
const BLAS = "openblas"

// hybridMin is the number of multiply-adds (m·n·k) from which a float32 product
// goes to OpenBLAS when it has several threads and internal/sgemm's kernel is
// AVX2. Measured on 2 cores (BenchmarkSgemmOpenBLASvsKernel, 2026-11-30, AVX2
// kernel): OpenBLAS with 2 threads ran the MLP's 128×256×784 forward product at
// 114 GFLOP/s against internal/sgemm's 94 and the CNN's 64×1024×3136 at 137
// against 101, but its 128×128×256 and 128×256×128 products at 60-72 against
// 89-94 (thread start-up), and a single row (1×256×784) at 8.8 against 27.
const hybridMin = 1 << 23

// hybridBLAS is OpenBLAS (netlib) with Sgemm sent to internal/sgemm when that is
// faster: always when internal/sgemm has its AVX-512 kernel (measured on 2 Zen 5
// cores with Debian's OpenBLAS 0.3.21, whose kernels are AVX2: 135-220 GFLOP/s
// against OpenBLAS's 64-162 with 2 threads on every shape of
// BenchmarkSgemmOpenBLASvsKernel); with the AVX2 kernel, for products of fewer
// than hybridMin multiply-adds, products of fewer rows than its micro-kernel
// (which it runs without packing), and all of them when OpenBLAS has one thread
// (then the two are equally fast on one core and internal/sgemm splits large
// products over the cores). Convolutions call internal/sgemm on their own
// goroutines (gemmFor). Results differ from OpenBLAS's in the last bits only.
type hybridBLAS struct{ netlib.Implementation }

// wideKernel is set when internal/sgemm computes with 512-bit vectors.
var wideKernel = sgemm.VectorBits() >= 512

// Sgemm is internal/sgemm's or OpenBLAS's, as hybridBLAS says.
func (hybridBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if wideKernel || m < 6 || m*n*k < hybridMin || BLASThreads() < 2 {
		sgemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	netlib.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// serialKernel marks hybridBLAS for gemmFor: convolutions, which already split
// their batch over goroutines, call internal/sgemm's SgemmSerial.
func (hybridBLAS) serialKernel() {}
