package retrieval

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	fastgemm "github.com/gokeras/gokeras/internal/sgemm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// DefaultBlockSize is the number of items scored per matrix product when
// BlockSize is not given (1024).
const DefaultBlockSize = 1024

// MaxBlockSize is the largest block size used (65,536); see BlockSize.
const MaxBlockSize = 1 << 16

// queryChunk is the number of queries whose heaps one unit of work keeps;
// a worker's score buffer holds queryChunk*BlockSize float32s (1 MiB by
// default).
const queryChunk = 256

// Tile of one call of gonum's own Sgemm: at most 64 rows and 192 columns,
// below its threshold for starting goroutines (4 blocks of 64x64), so that
// the work split of Search is the only parallelism.
const (
	tileRows = 64
	tileCols = 192
)

// Option configures NewIndex and TopK: Cosine, Workers, BlockSize.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds the settings of an Index; err records the first bad option.
type config struct {
	cosine  bool
	workers int
	block   int
	err     error
}

// Cosine scores by cosine similarity instead of the dot product: items are
// normalized to unit length by NewIndex and queries by Search (a zero
// vector stays zero and scores 0 against everything). Default: dot product.
func Cosine() Option {
	return optionFunc(func(c *config) { c.cosine = true })
}

// Workers sets how many goroutines Search uses (default
// runtime.GOMAXPROCS(0) at NewIndex); n < 1 is an error of NewIndex. The
// result does not depend on it.
func Workers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 && c.err == nil {
			c.err = errors.Errorf("Workers(%d): want at least 1", n)
		}
		c.workers = n
	})
}

// BlockSize sets how many items one matrix product scores (default
// DefaultBlockSize, 1024): each worker holds a buffer of
// min(q, 256)*n float32 scores. n < 1 is an error of NewIndex; n above
// MaxBlockSize (65,536) or above the number of items is taken as the
// smaller of the two.
func BlockSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 && c.err == nil {
			c.err = errors.Errorf("BlockSize(%d): want at least 1", n)
		}
		c.block = n
	})
}

// Index holds N item embeddings of dimension d for exact top-k search. It
// is immutable after NewIndex and safe for concurrent Search calls.
type Index struct {
	n, d    int
	cosine  bool
	workers int
	block   int
	// blocks holds the items block by block, each block b of width
	// w = min(block, n - b*block) transposed to a row-major (d, w) matrix
	// starting at b*block*d.
	blocks []float32
}

// Result holds the top k items of each of Queries queries.
type Result struct {
	// Queries is the number of queries q; K the number of items per query.
	Queries, K int
	// Indices holds, row-major with shape (q, k), the positions of the best
	// items (rows of the item matrix), best first; ties in score go to the
	// lower position.
	Indices []int
	// Scores holds, with shape (q, k), the scores of those items (dot
	// products, or cosine similarities with Cosine), in decreasing order.
	Scores []float32
}

// Row returns the k item positions and scores of query i, sharing the
// Result's storage; nil, nil when i is out of [0, Queries).
func (r *Result) Row(i int) ([]int, []float32) {
	if r == nil || i < 0 || i >= r.Queries {
		return nil, nil
	}
	return r.Indices[i*r.K : (i+1)*r.K], r.Scores[i*r.K : (i+1)*r.K]
}

// NewIndex returns an Index over items, a row-major (N, d) matrix: item i
// is items[i*d : (i+1)*d]. The items are copied (and normalized with
// Cosine), so items may change afterwards. d < 1, an empty items, a length
// that is not a multiple of d, a NaN or infinite value (named by item and
// component) or a bad option is an error. Options: Cosine (default dot
// product), Workers (default runtime.GOMAXPROCS(0)), BlockSize (default
// 1024).
func NewIndex(items []float32, d int, opts ...Option) (*Index, error) {
	const fn = "retrieval.NewIndex"
	c := config{workers: runtime.GOMAXPROCS(0), block: DefaultBlockSize}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.err != nil {
		return nil, errors.Wrap(c.err, fn)
	}
	n, err := rows("item", "items", items, d)
	if err != nil {
		return nil, errors.Wrap(err, fn)
	}
	c.block = min(c.block, n, MaxBlockSize)
	ix := &Index{n: n, d: d, cosine: c.cosine, workers: c.workers, block: c.block,
		blocks: make([]float32, n*d)}
	var unit []float32
	if c.cosine {
		unit = make([]float32, d)
	}
	for i := 0; i < n; i++ {
		v := items[i*d : (i+1)*d]
		if c.cosine {
			normalize(v, unit)
			v = unit
		}
		b := i / c.block
		start := b * c.block
		w := min(c.block, n-start)
		dst := ix.blocks[start*d:]
		col := i - start
		for l, x := range v {
			dst[l*w+col] = x
		}
	}
	return ix, nil
}

// rows checks a row-major matrix of dimension d (what and whats name a row
// and the rows in errors) and returns its number of rows.
func rows(what, whats string, m []float32, d int) (int, error) {
	if d < 1 {
		return 0, errors.Errorf("dimension d = %d, want at least 1", d)
	}
	if len(m) == 0 {
		return 0, errors.Errorf("no %s (empty %s matrix)", whats, what)
	}
	if len(m)%d != 0 {
		return 0, errors.Errorf("%s matrix has %d values, not a multiple of d = %d", what, len(m), d)
	}
	for i, x := range m {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0, errors.Errorf("%s %d, component %d is %v, want a finite value", what, i/d, i%d, x)
		}
	}
	return len(m) / d, nil
}

// normalize writes v / ||v|| into dst (zeros for a zero v); the norm is
// accumulated in float64.
func normalize(v, dst []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		clear(dst)
		return
	}
	inv := 1 / math.Sqrt(ss)
	for l, x := range v {
		dst[l] = float32(float64(x) * inv)
	}
}

// Len returns the number of items N.
func (ix *Index) Len() int { return ix.n }

// Dim returns the embedding dimension d.
func (ix *Index) Dim() int { return ix.d }

// Metric returns "cosine" for an Index made with Cosine, "dot" otherwise.
func (ix *Index) Metric() string {
	if ix.cosine {
		return "cosine"
	}
	return "dot"
}

// TopK is NewIndex(items, d, opts...) followed by Search(queries, k): the k
// items of the (N, d) matrix items that score highest against each row of
// the (q, d) matrix queries.
func TopK(items, queries []float32, d, k int, opts ...Option) (*Result, error) {
	ix, err := NewIndex(items, d, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "retrieval.TopK")
	}
	r, err := ix.Search(queries, k)
	return r, errors.Wrap(err, "retrieval.TopK")
}

// Search returns the k best items for each row of queries, a row-major
// (q, d) matrix (q >= 1), scored by dot product (or cosine similarity with
// Cosine). Every item is scored: the result is exact. A dot product of huge
// values that overflows float32 to NaN (+Inf plus -Inf) ranks as -Inf. A nil Index, an empty
// queries, a length that is not a multiple of d, a NaN or infinite value or
// k outside [1, Len()] is an error.
func (ix *Index) Search(queries []float32, k int) (*Result, error) {
	const fn = "retrieval.Index.Search"
	if ix == nil {
		return nil, errors.New(fn + ": nil Index")
	}
	q, err := rows("query", "queries", queries, ix.d)
	if err != nil {
		return nil, errors.Wrap(err, fn)
	}
	if k < 1 || k > ix.n {
		return nil, errors.Errorf("%s: k = %d, want 1 <= k <= %d (the number of items)", fn, k, ix.n)
	}
	if ix.cosine {
		unit := make([]float32, len(queries))
		for i := 0; i < q; i++ {
			normalize(queries[i*ix.d:(i+1)*ix.d], unit[i*ix.d:(i+1)*ix.d])
		}
		queries = unit
	}
	return ix.search(queries, q, k), nil
}

// entry is a scored item.
type entry struct {
	score float32
	idx   int
}

// better reports whether a ranks before b: higher score, then lower index.
func better(a, b entry) bool {
	return a.score > b.score || (a.score == b.score && a.idx < b.idx)
}

// unit is one piece of work: the queries of chunk qc against the item
// blocks [b0, b1); its partial top-k lands in top (k entries per query,
// count[i] of them used).
type unit struct {
	q0, q1 int
	b0, b1 int
	top    []entry
	count  []int
}

// search splits the work into units (query chunks times item ranges), runs
// them on the workers and merges the partial results.
func (ix *Index) search(queries []float32, q, k int) *Result {
	nBlocks := (ix.n + ix.block - 1) / ix.block
	nChunks := (q + queryChunk - 1) / queryChunk
	splits := 1
	if nChunks < ix.workers {
		splits = min(nBlocks, (ix.workers+nChunks-1)/nChunks)
	}
	units := make([]unit, 0, nChunks*splits)
	for c := 0; c < nChunks; c++ {
		q0, q1 := c*queryChunk, min(q, (c+1)*queryChunk)
		for s := 0; s < splits; s++ {
			units = append(units, unit{
				q0: q0, q1: q1,
				b0: s * nBlocks / splits, b1: (s + 1) * nBlocks / splits,
				top:   make([]entry, (q1-q0)*k),
				count: make([]int, q1-q0),
			})
		}
	}
	gemm, tiled := gemmFor()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(ix.workers, len(units)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, min(q, queryChunk)*ix.block)
			for {
				u := int(next.Add(1)) - 1
				if u >= len(units) {
					return
				}
				ix.run(&units[u], queries, k, buf, gemm, tiled)
			}
		}()
	}
	wg.Wait()

	res := &Result{Queries: q, K: k, Indices: make([]int, q*k), Scores: make([]float32, q*k)}
	var all []entry
	for c := 0; c < nChunks; c++ {
		parts := units[c*splits : (c+1)*splits]
		for i := parts[0].q0; i < parts[0].q1; i++ {
			all = all[:0]
			for _, p := range parts {
				r := i - p.q0
				all = append(all, p.top[r*k:r*k+p.count[r]]...)
			}
			sort.Slice(all, func(a, b int) bool { return better(all[a], all[b]) })
			for j, e := range all[:k] {
				res.Indices[i*k+j] = e.idx
				res.Scores[i*k+j] = e.score
			}
		}
	}
	return res
}

// sgemm is BLAS sgemm, row-major.
type sgemm func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// gemmFor returns the installed float32 gemm and whether it is gonum's own
// (called on small tiles, see tileRows).
func gemmFor() (sgemm, bool) {
	impl := blas32.Implementation()
	if _, ok := impl.(fastgemm.Implementation); ok {
		return fastgemm.SgemmSerial, false // whole blocks; the units already run in parallel
	}
	_, native := impl.(gonum.Implementation)
	return impl.Sgemm, native
}

// run scores the queries of u against its item blocks and keeps the k best
// per query in a min-heap (worst at the root) in u.top.
func (ix *Index) run(u *unit, queries []float32, k int, buf []float32, gemm sgemm, tiled bool) {
	d := ix.d
	m := u.q1 - u.q0
	qs := queries[u.q0*d : u.q1*d]
	for b := u.b0; b < u.b1; b++ {
		start := b * ix.block
		w := min(ix.block, ix.n-start)
		items := ix.blocks[start*d : (start+w)*d]
		// buf (m, w) with row stride ix.block = qs (m, d) · items (d, w).
		if tiled {
			for i := 0; i < m; i += tileRows {
				mi := min(tileRows, m-i)
				for j := 0; j < w; j += tileCols {
					nj := min(tileCols, w-j)
					gemm(blas.NoTrans, blas.NoTrans, mi, nj, d, 1, qs[i*d:], d, items[j:], w, 0, buf[i*ix.block+j:], ix.block)
				}
			}
		} else {
			gemm(blas.NoTrans, blas.NoTrans, m, w, d, 1, qs, d, items, w, 0, buf, ix.block)
		}
		for r := 0; r < m; r++ {
			heapPushRow(u.top[r*k:(r+1)*k], &u.count[r], buf[r*ix.block:r*ix.block+w], start)
		}
	}
}

// heapPushRow offers the scores of items base, base+1, ... to the min-heap
// h (capacity len(h), *n entries used). Items come in increasing index
// order, so once the heap is full a score equal to the root's loses.
func heapPushRow(h []entry, n *int, scores []float32, base int) {
	k := len(h)
	j := 0
	for ; *n < k && j < len(scores); j++ {
		s := scores[j]
		if s != s { // NaN (from Inf - Inf): last
			s = float32(math.Inf(-1))
		}
		h[*n] = entry{s, base + j}
		*n++
		siftUp(h, *n-1)
	}
	if j == len(scores) {
		return
	}
	thresh := h[0].score
	for ; j < len(scores); j++ {
		s := scores[j]
		if s <= thresh || s != s {
			continue
		}
		h[0] = entry{s, base + j}
		siftDown(h, 0)
		thresh = h[0].score
	}
}

// siftUp restores the min-heap (worst at the root) after h[i] was set.
func siftUp(h []entry, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// siftDown restores the min-heap after h[i] was replaced.
func siftDown(h []entry, i int) {
	n := len(h)
	for {
		worst := i
		l, r := 2*i+1, 2*i+2
		if l < n && better(h[worst], h[l]) {
			worst = l
		}
		if r < n && better(h[worst], h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}
