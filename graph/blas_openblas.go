//go:build openblas

package graph

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the openblas build tag, every matrix product (Gorgonia's and gonum's) runs
// in OpenBLAS through cgo (blas_openblas_link.go links -lopenblas and sets its
// thread count; see SetBLASThreads). This is set once, at start-up.
func init() {
	impl := netlib.Implementation{}
	G.Use(impl)
	blas32.Use(impl)
	blas64.Use(impl)
}

// BLAS names the BLAS implementation in use: "openblas" in this build.
const BLAS = "openblas"
