// Package sgemm provides a fast, cgo-free float32 general matrix multiply
// (SGEMM) for amd64.
//
// The algorithm follows the classic GotoBLAS/BLIS design: the operands are
// cache-blocked (KC×NC panels of B, MC×KC blocks of A), packed into
// contiguous, zero-padded buffers, and the innermost MR×NR block of C
// (6×16) is computed by a micro-kernel written in Go assembly with AVX2 and
// FMA instructions. All four transpose cases are handled by the packing
// routines (full micro-panels are packed by SSE/AVX assembly too), so the
// kernel only ever sees one layout. Edge tiles go through a temporary tile.
//
// Sgemm has exactly the semantics, argument checks and panic messages of
// gonum.org/v1/gonum/blas/gonum's Implementation.Sgemm (row-major storage).
// Implementation embeds gonum's Implementation and overrides Sgemm only, so
// it satisfies blas.Float32, blas.Float64, blas.Complex64 and blas.Complex128
// and can be passed to gorgonia.Use.
//
// SgemmSerial is the same operation confined to the calling goroutine.
// Calls of Sgemm with m·n·k of at least 2²³ are split into row (or column)
// strips that up to GOMAXPROCS goroutines, the caller's included, take in
// turn; smaller calls stay on the calling goroutine. Packing buffers are
// recycled through a small free list that survives garbage collections, so
// steady-state calls do not allocate.
//
// Every element of C is summed in the same order whatever m, n, the strip a
// goroutine takes or the edge tile it falls in: a row of A gives the same row of
// C, bit for bit, alone or in a batch (a model predicts a row the same way in any
// batch).
//
// On CPUs without AVX2 and FMA, or on other architectures, or when built
// with the purego tag, Sgemm falls back to gonum's Sgemm. HasKernel and
// KernelName report which path is in use.
//
// Numerical note: results agree with gonum's up to float32 rounding (the
// summation order differs). Unlike gonum, the kernel does not skip terms
// whose A element is zero, so 0·Inf in the inputs yields NaN as in IEEE
// arithmetic. When beta is zero, C is never read, so NaNs in C are
// overwritten.
package sgemm
