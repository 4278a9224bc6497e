package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var (
	transposes    = []blas.Transpose{blas.NoTrans, blas.Trans}
	allTransposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
)

// gemmCase describes one Sgemm call.
type gemmCase struct {
	tA, tB           blas.Transpose
	m, n, k          int
	padA, padB, padC int
	alpha, beta      float32
	serial           bool // call SgemmSerial
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%c,tB=%c,m=%d,n=%d,k=%d,pad=%d/%d/%d,alpha=%g,beta=%g",
		tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC, tc.alpha, tc.beta)
}

// randSlice returns n uniform values in [-1, 1).
func randSlice(rnd *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rnd.Float32() - 1
	}
	return s
}

// checkCase runs Sgemm and gonum's Sgemm on the same random inputs and
// compares the results with a tolerance of order k·eps·|alpha|·|a|·|b|
// (entries of a and b are bounded by 1) plus eps·|beta|·|c|.
func checkCase(t *testing.T, rnd *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA != blas.NoTrans {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB != blas.NoTrans {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, ac)+tc.padA, max(1, bc)+tc.padB, max(1, tc.n)+tc.padC
	// Slices have exactly the minimal length gonum accepts.
	a := randSlice(rnd, minLen(ar, ac, lda))
	b := randSlice(rnd, minLen(br, bc, ldb))
	c0 := randSlice(rnd, minLen(tc.m, tc.n, ldc))
	got := append([]float32(nil), c0...)
	want := append([]float32(nil), c0...)
	if tc.beta == 0 {
		for i := range got {
			got[i] = float32(math.NaN())
		}
	}
	f := Sgemm
	if tc.serial {
		f = SgemmSerial
	}
	f(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
	gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)
	const eps = 1.0 / (1 << 23)
	tol := 4*eps*float64(tc.k+2)*math.Abs(float64(tc.alpha)) + 2*eps
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if idx >= len(got) {
				break
			}
			g, w := got[idx], want[idx]
			if j >= tc.n {
				// Padding must be untouched.
				if g != c0[idx] && !(tc.beta == 0 && math.IsNaN(float64(g))) {
					t.Fatalf("%v: padding C[%d,%d] changed: %v -> %v", tc, i, j, c0[idx], g)
				}
				continue
			}
			if math.IsNaN(float64(g)) || math.Abs(float64(g-w)) > tol {
				t.Fatalf("%v: C[%d,%d] = %v, want %v (tol %g)", tc, i, j, g, w, tol)
			}
		}
	}
}

// minLen is the length of a rows×cols row-major matrix with stride ld
// that ends at its last element.
func minLen(rows, cols, ld int) int {
	if rows == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

var testSizes = []int{1, 2, 7, 8, 15, 16, 17, 33, 65, 129, 257}

func TestSgemmTable(t *testing.T) { forEachKernel(t, testSgemmTable) }

func testSgemmTable(t *testing.T) {
	if !HasKernel() {
		t.Log("no assembly kernel: testing the gonum fallback")
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	sizes := testSizes
	if testing.Short() {
		sizes = sizes[:8]
	}
	for _, tA := range transposes {
		for _, tB := range transposes {
			for mi, m := range sizes {
				for ni, n := range sizes {
					for ki, k := range sizes {
						// Sample the size product: all small cases, every
						// third large one.
						if m*n*k > 1<<15 && (mi+ni+ki)%3 != 0 {
							continue
						}
						// alpha and beta vary independently of the sampling.
						tc := gemmCase{
							tA: tA, tB: tB, m: m, n: n, k: k,
							padA: (mi + ki) % 3, padB: (ni + ki) % 2, padC: (mi + ni) % 3,
							alpha: []float32{0, 1, -0.5}[(mi+2*ni)%3],
							beta:  []float32{0, 1, 0.3}[(2*mi+ki)%3],
						}
						checkCase(t, rnd, tc)
					}
				}
			}
		}
	}
}

func TestSgemmAlphaBeta(t *testing.T) { forEachKernel(t, testSgemmAlphaBeta) }

func testSgemmAlphaBeta(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, tA := range transposes {
		for _, tB := range transposes {
			for _, alpha := range []float32{0, 1, -0.5} {
				for _, beta := range []float32{0, 1, 0.3} {
					for _, sz := range [][3]int{{7, 33, 17}, {65, 17, 300}, {13, 40, 0}} {
						checkCase(t, rnd, gemmCase{tA: tA, tB: tB, m: sz[0], n: sz[1], k: sz[2],
							padA: 3, padB: 1, padC: 5, alpha: alpha, beta: beta})
					}
				}
			}
		}
	}
}

// TestSgemmLarge covers several cache blocks in every dimension and the
// parallel split in both directions.
func TestSgemmLarge(t *testing.T) { forEachKernel(t, testSgemmLarge) }

func testSgemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, procs := range []int{1, 3, -3} {
		// procs 3 forces the parallel path with an odd worker count; -3
		// runs SgemmSerial with GOMAXPROCS 3.
		prev := runtime.GOMAXPROCS(max(procs, -procs))
		for _, sz := range [][3]int{{300, 70, 530}, {50, 4200, 300}, {301, 4100, 33}, {129, 129, 1025}, {37, 800, 300}} {
			for _, tA := range transposes {
				for _, tB := range transposes {
					checkCase(t, rnd, gemmCase{tA: tA, tB: tB, m: sz[0], n: sz[1], k: sz[2],
						padA: 1, padB: 2, padC: 3, alpha: -0.5, beta: 0.3, serial: procs < 0})
				}
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

func TestSgemmRandom(t *testing.T) { forEachKernel(t, testSgemmRandom) }

func testSgemmRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for it := 0; it < iters; it++ {
		dim := func() int {
			if rnd.IntN(4) == 0 {
				return 1 + rnd.IntN(400)
			}
			return 1 + rnd.IntN(40)
		}
		tc := gemmCase{
			tA: allTransposes[rnd.IntN(3)], tB: allTransposes[rnd.IntN(3)],
			m: dim(), n: dim(), k: rnd.IntN(300),
			padA: rnd.IntN(4), padB: rnd.IntN(4), padC: rnd.IntN(4),
			alpha: []float32{0, 1, -0.5, 2.5}[rnd.IntN(4)],
			beta:  []float32{0, 1, 0.3, -2}[rnd.IntN(4)],
		}
		checkCase(t, rnd, tc)
	}
}

// TestFallback forces the gonum path and checks it on a few cases.
func TestFallback(t *testing.T) {
	saved := kern
	kern = nil
	defer func() { kern = saved }()
	if HasKernel() || KernelName() != "gonum" {
		t.Fatalf("fallback not selected: %v %q", HasKernel(), KernelName())
	}
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, tA := range transposes {
		for _, tB := range transposes {
			checkCase(t, rnd, gemmCase{tA: tA, tB: tB, m: 17, n: 33, k: 65, padA: 1, alpha: 1, beta: 0.3})
		}
	}
}

func TestKernelName(t *testing.T) {
	t.Logf("kernel: %s (HasKernel=%v)", KernelName(), HasKernel())
	if HasKernel() && KernelName() == "gonum" {
		t.Fatal("kernel reported but name is gonum")
	}
	want := map[string]int{"gonum": 0, "avx2-fma-6x16": 256, "avx512-6x32": 512}[KernelName()]
	if got := VectorBits(); got != want {
		t.Fatalf("VectorBits() = %d with kernel %s, want %d", got, KernelName(), want)
	}
}

// TestPanics checks that argument errors panic with gonum's messages.
func TestPanics(t *testing.T) {
	s := make([]float32, 100)
	nt, tr := blas.NoTrans, blas.Trans
	for _, tc := range []struct {
		tA, tB        blas.Transpose
		m, n, k       int
		a, b, c       []float32
		lda, ldb, ldc int
	}{
		{'X', nt, 2, 2, 2, s, s, s, 2, 2, 2},
		{nt, 'X', 2, 2, 2, s, s, s, 2, 2, 2},
		{nt, nt, -1, 2, 2, s, s, s, 2, 2, 2},
		{nt, nt, 2, -1, 2, s, s, s, 2, 2, 2},
		{nt, nt, 2, 2, -1, s, s, s, 2, 2, 2},
		{nt, nt, 2, 2, 3, s, s, s, 2, 2, 2},
		{tr, nt, 3, 2, 2, s, s, s, 2, 2, 2},
		{nt, nt, 2, 3, 2, s, s, s, 2, 2, 3},
		{nt, tr, 2, 2, 3, s, s, s, 3, 2, 2},
		{nt, nt, 2, 3, 2, s, s, s, 2, 3, 2},
		{nt, nt, 20, 2, 20, s, s, s, 20, 2, 2},
		{nt, nt, 2, 2, 60, s, s, s, 60, 2, 2},
		{nt, nt, 60, 2, 2, s[:50], s, s, 2, 2, 2},
		{nt, nt, 0, 0, 0, s, s, s, 0, 2, 2},
	} {
		capture := func(f func()) (msg any) {
			defer func() { msg = recover() }()
			f()
			return nil
		}
		got := capture(func() {
			Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, append([]float32(nil), tc.c...), tc.ldc)
		})
		want := capture(func() {
			gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, append([]float32(nil), tc.c...), tc.ldc)
		})
		if got != want {
			t.Errorf("%+v: panic %v, want %v", tc, got, want)
		}
	}
}

// TestNoAlloc checks that a steady-state serial call does not allocate.
func TestNoAlloc(t *testing.T) {
	m, n, k := 64, 64, 64
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	allocs := testing.AllocsPerRun(20, func() {
		Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	})
	if allocs > 0 {
		t.Errorf("%v allocations per call", allocs)
	}
	if !HasKernel() {
		return // gonum's Sgemm spawns goroutines for large products
	}
	// SgemmSerial stays on the caller's goroutine even when large.
	m, n, k = 300, 300, 300
	a, b, c = make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	SgemmSerial(blas.Trans, blas.Trans, m, n, k, 1, a, m, b, k, 0, c, n)
	allocs = testing.AllocsPerRun(5, func() {
		SgemmSerial(blas.Trans, blas.Trans, m, n, k, 1, a, m, b, k, 0, c, n)
	})
	if allocs > 0 {
		t.Errorf("SgemmSerial: %v allocations per call", allocs)
	}
	// The buffers survive a garbage collection.
	runtime.GC()
	runtime.GC()
	allocs = testing.AllocsPerRun(1, func() {
		SgemmSerial(blas.Trans, blas.Trans, m, n, k, 1, a, m, b, k, 0, c, n)
	})
	if allocs > 0 {
		t.Errorf("SgemmSerial after a GC: %v allocations per call", allocs)
	}
}

// TestImplementation checks that Implementation satisfies the BLAS
// interfaces gorgonia.Use requires and dispatches Sgemm.
func TestImplementation(t *testing.T) {
	var impl interface {
		blas.Float32
		blas.Float64
		blas.Complex64
		blas.Complex128
	} = Implementation{}
	c := []float32{float32(math.NaN())}
	impl.Sgemm(blas.NoTrans, blas.NoTrans, 1, 1, 1, 2, []float32{3}, 1, []float32{4}, 1, 0, c, 1)
	if c[0] != 24 {
		t.Fatalf("got %v, want 24", c[0])
	}
}
