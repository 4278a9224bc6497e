package sgemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Panic messages, identical to gonum's blas/gonum package.
const (
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badTranspose = "blas: illegal transpose"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Implementation is gonum's pure-Go BLAS implementation with Sgemm replaced
// by the packed, assembly-accelerated version of this package. It satisfies
// blas.Float32, blas.Float64, blas.Complex64 and blas.Complex128.
type Implementation struct {
	gonum.Implementation
}

// Sgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// It is the package-level Sgemm; see there.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// kern is the micro-kernel Sgemm uses, nil for gonum's Sgemm. It is set once
// at package initialisation from the CPU features and only changed by tests.
var kern = bestKernel()

// HasKernel reports whether Sgemm uses an assembly micro-kernel on this
// machine (true) or falls back to gonum's Sgemm (false).
func HasKernel() bool { return kern != nil }

// KernelName returns a short name of the code path Sgemm uses:
// "avx512-6x32" on CPUs with AVX-512, "avx2-fma-6x16" on those with AVX2 and
// FMA only, "gonum" elsewhere.
func KernelName() string {
	if kern != nil {
		return kern.name
	}
	return "gonum"
}

// VectorBits returns the width in bits of the vector registers Sgemm's
// micro-kernel computes with: 512 with AVX-512, 256 with AVX2, 0 on gonum's
// Sgemm.
func VectorBits() int {
	if kern == nil {
		return 0
	}
	return kern.bits
}

// Sgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// where A is an m×k or k×m dense matrix, B is a k×n or n×k dense matrix, C is
// an m×n matrix, all stored row-major, and alpha and beta are scalars. tA and
// tB specify whether A or B are transposed. The argument checks and panic
// messages are those of gonum's Implementation.Sgemm. When beta is zero C is
// not read.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(true, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmSerial is Sgemm without internal parallelism: the assembly path
// runs entirely on the calling goroutine, for callers that already split
// their work over goroutines (the gonum fallback keeps gonum's behaviour,
// which parallelises products of at least four 64×64 blocks).
func SgemmSerial(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(false, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemm implements Sgemm and SgemmSerial; par allows several goroutines.
func sgemm(par bool, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ks := kern
	if ks == nil {
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	switch tA {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	switch tB {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans := tA == blas.Trans || tA == blas.ConjTrans
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else {
		if lda < max(1, k) {
			panic(badLdA)
		}
	}
	bTrans := tB == blas.Trans || tB == blas.ConjTrans
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else {
		if ldb < max(1, n) {
			panic(badLdB)
		}
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}

	// Quick return if possible.
	if m == 0 || n == 0 {
		return
	}

	// For zero matrix size the following slice length checks are trivially satisfied.
	if aTrans {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else {
		if len(a) < (m-1)*lda+k {
			panic(shortA)
		}
	}
	if bTrans {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else {
		if len(b) < (k-1)*ldb+n {
			panic(shortB)
		}
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}

	// Quick return if possible.
	if (alpha == 0 || k == 0) && beta == 1 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if !par {
		gemmSerial(ks, aTrans, bTrans, 0, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(ks, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// scaleC computes C = beta*C, writing zeros without reading C when beta is 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		ctmp := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ctmp)
			continue
		}
		for j := range ctmp {
			ctmp[j] *= beta
		}
	}
}
