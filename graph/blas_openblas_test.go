//go:build openblas

package graph

import (
	"os"
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

// TestBLASThreads: SetBLASThreads reaches OpenBLAS, and a bad count is refused.
func TestBLASThreads(t *testing.T) {
	old := BLASThreads()
	if os.Getenv("OPENBLAS_NUM_THREADS")+os.Getenv("GOTO_NUM_THREADS")+os.Getenv("OMP_NUM_THREADS") == "" && old != defaultBLASThreads {
		t.Errorf("no thread count in the environment: OpenBLAS uses %d threads, want the default %d", old, defaultBLASThreads)
	}
	defer func() { _ = SetBLASThreads(old) }()
	for _, n := range []int{1, 2} {
		if err := SetBLASThreads(n); err != nil {
			t.Fatal(err)
		}
		if got := BLASThreads(); got != n {
			t.Errorf("after SetBLASThreads(%d): OpenBLAS uses %d threads", n, got)
		}
	}
	if err := SetBLASThreads(0); err == nil {
		t.Error("SetBLASThreads(0): no error")
	}
}
