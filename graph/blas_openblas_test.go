//go:build openblas

package graph

import (
	"math"
	"math/rand"
	"os"
	"testing"

	"github.com/gokeras/gokeras/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// TestOpenBLASInUse: the openblas build routes Gorgonia's matrix products to
// OpenBLAS (through hybridBLAS where internal/sgemm has its kernel).
func TestOpenBLASInUse(t *testing.T) {
	want := any(netlib.Implementation{})
	if sgemm.HasKernel() {
		want = hybridBLAS{}
	}
	if G.WhichBLAS() != want || blas32.Implementation() != want || BLAS != "openblas" {
		t.Errorf("BLAS in use: %T / %T (%s), want %T", G.WhichBLAS(), blas32.Implementation(), BLAS, want)
	}
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Errorf("float64 BLAS: %T, want netlib.Implementation", blas64.Implementation())
	}
}

// TestHybridSgemm: hybridBLAS's Sgemm matches gonum's reference on both
// sides of hybridMin, for a single row, all transposes and 1 or 2 OpenBLAS
// threads (within float32 rounding: 1e-4 relative to the sum of |products|).
func TestHybridSgemm(t *testing.T) {
	if !sgemm.HasKernel() {
		t.Skip("no internal/sgemm kernel on this CPU: hybridBLAS is not used")
	}
	old := BLASThreads()
	defer func() { _ = SetBLASThreads(old) }()
	rnd := rand.New(rand.NewSource(5))
	for _, threads := range []int{1, 2} {
		if err := SetBLASThreads(threads); err != nil {
			t.Fatal(err)
		}
		for _, s := range [][3]int{{1, 300, 784}, {33, 17, 129}, {130, 260, 300}} {
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					m, n, k := s[0], s[1], s[2]
					a, b := make([]float32, m*k), make([]float32, k*n)
					for i := range a {
						a[i] = float32(rnd.NormFloat64())
					}
					for i := range b {
						b[i] = float32(rnd.NormFloat64())
					}
					lda, ldb := k, n
					if tA == blas.Trans {
						lda = m
					}
					if tB == blas.Trans {
						ldb = k
					}
					got, want, mag := make([]float32, m*n), make([]float32, m*n), make([]float32, m*n)
					hybridBLAS{}.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, got, n)
					gonum.Implementation{}.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, want, n)
					absA, absB := make([]float32, len(a)), make([]float32, len(b))
					for i, v := range a {
						absA[i] = float32(math.Abs(float64(v)))
					}
					for i, v := range b {
						absB[i] = float32(math.Abs(float64(v)))
					}
					gonum.Implementation{}.Sgemm(tA, tB, m, n, k, 1, absA, lda, absB, ldb, 0, mag, n)
					for i := range got {
						if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*float64(mag[i]) {
							t.Fatalf("threads %d, %dx%dx%d tA=%c tB=%c: element %d is %v, gonum %v", threads, m, n, k, tA, tB, i, got[i], want[i])
						}
					}
				}
			}
		}
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
