//go:build !amd64 || purego

package sgemm

// hasKernel is false: there is no assembly kernel for this architecture.
var hasKernel = false

// hasAVX512 is false: there is no assembly kernel for this architecture.
var hasAVX512 = false

// kernel6x16 is never called when hasKernel is false.
func kernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32, load int) {
	panic("sgemm: no kernel on this architecture")
}

// kernel6x32 is never called when hasKernel is false.
func kernel6x32(k int, a, b, c *float32, ldc int, alpha, beta float32, load int) {
	panic("sgemm: no kernel on this architecture")
}

// The packing routines below are never called when hasKernel is false.

func packA6T(k int, src *float32, lda int, dst *float32)  { panic("sgemm: no kernel") }
func packA6N(k int, src *float32, lda int, dst *float32)  { panic("sgemm: no kernel") }
func packB16N(k int, src *float32, ldb int, dst *float32) { panic("sgemm: no kernel") }
func packB16T(k int, src *float32, ldb int, dst *float32) { panic("sgemm: no kernel") }
func packB32N(k int, src *float32, ldb int, dst *float32) { panic("sgemm: no kernel") }
func packB32T(k int, src *float32, ldb int, dst *float32) { panic("sgemm: no kernel") }
func axpyFMA(n int, alpha float32, x, y *float32)         { panic("sgemm: no kernel") }
