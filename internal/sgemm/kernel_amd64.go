//go:build amd64 && !purego

package sgemm

import "golang.org/x/sys/cpu"

// hasKernel reports whether the CPU supports the AVX2+FMA micro-kernel.
var hasKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports whether the CPU and the operating system support the
// AVX-512 micro-kernel (the foundation instructions and ZMM state).
var hasAVX512 = hasKernel && cpu.X86.HasAVX512F

// kernel6x16 computes the 6×16 block
//
//	C = alpha * Ap * Bp + beta * C
//
// where Ap is a packed 6×k micro-panel of A (k groups of 6 values, one per
// row), Bp a packed k×16 micro-panel of B (k rows of 16 values) and C is
// row-major with leading dimension ldc. C is read only when load is
// nonzero; otherwise beta is ignored and C is overwritten.
//
//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32, load int)

// kernel6x32 is kernel6x16 for a 6×32 block with AVX-512 instructions
// (kernel_avx512_amd64.s, written by gen_avx512.go).
//
//go:noescape
func kernel6x32(k int, a, b, c *float32, ldc int, alpha, beta float32, load int)

// packB32N sets dst[p*32+c] = src[p*ldb+c] for p < k, c < 32 (AVX-512).
//
//go:noescape
func packB32N(k int, src *float32, ldb int, dst *float32)

// packB32T sets dst[p*32+c] = src[c*ldb+p] for p < k&^3, c < 32.
//
//go:noescape
func packB32T(k int, src *float32, ldb int, dst *float32)

// Packing of full micro-panels (pack_amd64.s); strides in elements.
// packA6T and packB16N move k rows, packA6N and packB16T move k&^3.

// packA6T sets dst[p*6+r] = src[p*lda+r] for p < k, r < 6.
//
//go:noescape
func packA6T(k int, src *float32, lda int, dst *float32)

// packA6N sets dst[p*6+r] = src[r*lda+p] for p < k&^3, r < 6.
//
//go:noescape
func packA6N(k int, src *float32, lda int, dst *float32)

// packB16N sets dst[p*16+c] = src[p*ldb+c] for p < k, c < 16.
//
//go:noescape
func packB16N(k int, src *float32, ldb int, dst *float32)

// packB16T sets dst[p*16+c] = src[c*ldb+p] for p < k&^3, c < 16.
//
//go:noescape
func packB16T(k int, src *float32, ldb int, dst *float32)

// axpyFMA sets y[j] = alpha*x[j] + y[j] for j < n, each with one fused
// multiply-add (the rounding of the micro-kernel's accumulation).
//
//go:noescape
func axpyFMA(n int, alpha float32, x, y *float32)
