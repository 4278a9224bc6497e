//go:build !openblas

package graph

// BLAS names the BLAS implementation in use: "gonum" (pure Go) in the default
// build; build with -tags openblas for OpenBLAS.
const BLAS = "gonum"
