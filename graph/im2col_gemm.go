package graph

import (
	"runtime"
	"sync"

	"github.com/gokeras/gokeras/internal/sgemm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// float is the element type of the convolution, pooling and normalization kernels.
type float interface{ float32 | float64 }

// gemmFn is BLAS gemm: c = alpha·op(a)·op(b) + beta·c, row-major.
type gemmFn[T float] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// gemmImpl is a gemm and whether it must be called on small tiles.
type gemmImpl[T float] struct {
	gemm  gemmFn[T]
	tiled bool
}

// gemmFor returns the gemm of the current gonum BLAS implementation for T
// (gonum's pure-Go one, internal/sgemm's kernel for float32 where the CPU has it,
// or what blas32.Use / blas64.Use installed, as the openblas build does), for a
// caller that runs on workers goroutines of its own. Gonum's own is tiled (see
// gemmTiled); another one gets whole matrices. internal/sgemm's (alone or in the
// openblas build's hybridBLAS) stays on the calling goroutine (SgemmSerial)
// when the caller already uses every core, and splits large products over them
// otherwise (a single image).
func gemmFor[T float](workers int) gemmImpl[T] {
	var z T
	switch any(z).(type) {
	case float32:
		impl := blas32.Implementation()
		_, hybrid := impl.(interface{ serialKernel() })
		if _, ok := impl.(sgemm.Implementation); ok || hybrid {
			if workers < runtime.GOMAXPROCS(0) {
				return gemmImpl[T]{any(gemmFn[float32](sgemm.Sgemm)).(gemmFn[T]), false}
			}
			return gemmImpl[T]{any(gemmFn[float32](sgemm.SgemmSerial)).(gemmFn[T]), false}
		}
		_, native := impl.(gonum.Implementation)
		return gemmImpl[T]{any(impl.Sgemm).(func(blas.Transpose, blas.Transpose, int, int, int, T, []T, int, []T, int, T, []T, int)), native}
	default:
		impl := blas64.Implementation()
		_, native := impl.(gonum.Implementation)
		return gemmImpl[T]{any(impl.Dgemm).(func(blas.Transpose, blas.Transpose, int, int, int, T, []T, int, []T, int, T, []T, int)), native}
	}
}

// Tile sizes of gemmTiled: at most 64x192 output elements per call, below gonum's
// threshold for spawning its own goroutines (4 blocks of 64x64), so that the
// batch split of parallelFor is the only parallelism.
const (
	tileRows = 64
	tileCols = 192
)

// gemmTiled computes c (m×n) = op(a) · op(b) + beta·c with op(a) = a (m×k) or,
// when transA, aᵀ with a (k×m), and op(b) = b (k×n) or, when transB, bᵀ with b
// (n×k); tile by tile on the calling goroutine for gonum's gemm.
func gemmTiled[T float](g gemmImpl[T], transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	gemm := g.gemm
	if !g.tiled {
		gemm(ta, tb, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tileRows {
		mi := min(tileRows, m-i)
		as := a[i*lda:]
		if transA {
			as = a[i:]
		}
		for j := 0; j < n; j += tileCols {
			nj := min(tileCols, n-j)
			bs := b[j:]
			if transB {
				bs = b[j*ldb:]
			}
			gemm(ta, tb, mi, nj, k, 1, as, lda, bs, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// numWorkers is the number of goroutines parallelFor uses for n items.
func numWorkers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// parallelFor splits items [0, n) into numWorkers(n) contiguous ranges (the same
// split for the same n, so results are deterministic) and runs fn(worker, lo, hi)
// on each in its own goroutine. A panic in fn becomes an error; the first error by
// worker order is returned.
func parallelFor(n int, fn func(worker, lo, hi int) error) error {
	workers := numWorkers(n)
	if workers == 1 {
		return safeRange(fn, 0, 0, n)
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = safeRange(fn, w, w*n/workers, (w+1)*n/workers)
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func safeRange(fn func(worker, lo, hi int) error, w, lo, hi int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("worker %d (items %d to %d): %v", w, lo, hi, r)
		}
	}()
	return fn(w, lo, hi)
}

// scratch holds buffers reused from run to run: slot i is grown on demand and
// never shrunk. Grow every slot before starting workers (it is not goroutine-safe).
type scratch[T float] struct{ bufs [][]T }

// get returns slot i with length n; its contents are unspecified.
func (s *scratch[T]) get(i, n int) []T {
	for len(s.bufs) <= i {
		s.bufs = append(s.bufs, nil)
	}
	if cap(s.bufs[i]) < n {
		s.bufs[i] = make([]T, n)
	}
	return s.bufs[i][:n]
}

// workspace is an op's scratch space for both dtypes; ops hold a pointer to one,
// so that copies of the op value share it.
type workspace struct {
	f32 scratch[float32]
	f64 scratch[float64]
}
