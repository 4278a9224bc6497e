//go:build openblas

package graph

import (
	"testing"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// TestOpenBLASInUse: the openblas build routes Gorgonia's matrix products to
// OpenBLAS.
func TestOpenBLASInUse(t *testing.T) {
	if _, ok := G.WhichBLAS().(netlib.Implementation); !ok || BLAS != "openblas" {
		t.Errorf("BLAS in use: %T (%s), want netlib.Implementation", G.WhichBLAS(), BLAS)
	}
}
