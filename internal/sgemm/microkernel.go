package sgemm

//go:generate go run gen_avx512.go

// microKernel is one register-blocked micro-kernel together with the packing
// of its micro-panels of B. All kernels compute a tile of mr rows; they differ
// in the number of columns, nr, and in the vector instructions they use, never
// in the arithmetic: every element of C gets the same fused multiply-adds in
// the same order, so the kernels give the same bits.
type microKernel struct {
	name string
	nr   int // columns of the tile, a multiple of 16, at most maxNR
	bits int // width of the vector registers it uses

	// run computes the mr×nr block C = alpha*Ap*Bp + beta*C, where Ap is a
	// packed mr×k micro-panel of A (k groups of mr values), Bp a packed
	// k×nr micro-panel of B (k rows of nr values) and C is row-major with
	// leading dimension ldc. C is read only when load is nonzero; otherwise
	// beta is ignored and C is overwritten.
	run func(k int, a, b, c *float32, ldc int, alpha, beta float32, load int)
	// packN sets dst[p*nr+c] = src[p*ldb+c] for p < k, c < nr.
	packN func(k int, src *float32, ldb int, dst *float32)
	// packT sets dst[p*nr+c] = src[c*ldb+p] for p < k&^3, c < nr.
	packT func(k int, src *float32, ldb int, dst *float32)
}

// maxNR is the widest tile of any micro-kernel.
const maxNR = 32

// The micro-kernels of this package: AVX2 with FMA (6×16), and AVX-512
// (6×32), which does twice the work per instruction on CPUs that execute
// 512-bit vectors at full width (measured on the development machine, an AMD
// EPYC Zen 5, on one K-panel held in cache: 107-111 against 212-218 GFLOP/s on one
// core).
var (
	avx2Kernel   = &microKernel{name: "avx2-fma-6x16", nr: 16, bits: 256, run: kernel6x16, packN: packB16N, packT: packB16T}
	avx512Kernel = &microKernel{name: "avx512-6x32", nr: 32, bits: 512, run: kernel6x32, packN: packB32N, packT: packB32T}
)

// bestKernel returns the widest micro-kernel the CPU supports, or nil when
// there is none (Sgemm then uses gonum).
func bestKernel() *microKernel {
	switch {
	case hasAVX512:
		return avx512Kernel
	case hasKernel:
		return avx2Kernel
	}
	return nil
}
