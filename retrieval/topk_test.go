package retrieval_test

import (
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/retrieval"
)

// randMatrix returns rows*d values from N(0,1).
func randMatrix(r *rand.Rand, rows, d int) []float32 {
	m := make([]float32, rows*d)
	for i := range m {
		m[i] = float32(r.NormFloat64())
	}
	return m
}

// naive scores every item against query i in float64 and returns the
// positions sorted best first (ties to the lower position) with the scores.
func naive(items, queries []float32, d, i int, cosine bool) ([]int, []float64) {
	n := len(items) / d
	q := queries[i*d : (i+1)*d]
	scores := make([]float64, n)
	for j := 0; j < n; j++ {
		x := items[j*d : (j+1)*d]
		var dot, nx, nq float64
		for l := range q {
			dot += float64(q[l]) * float64(x[l])
			nx += float64(x[l]) * float64(x[l])
			nq += float64(q[l]) * float64(q[l])
		}
		if cosine {
			if nx == 0 || nq == 0 {
				dot = 0
			} else {
				dot /= math.Sqrt(nx) * math.Sqrt(nq)
			}
		}
		scores[j] = dot
	}
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	return order, scores
}

// checkExact checks res against the float64 reference: each returned score
// matches its item's score, the scores decrease, and no item left out
// scores clearly above the k-th.
func checkExact(t *testing.T, res *retrieval.Result, items, queries []float32, d, k int, cosine bool) {
	t.Helper()
	const tol = 1e-4
	q := len(queries) / d
	if res.Queries != q || res.K != k || len(res.Indices) != q*k || len(res.Scores) != q*k {
		t.Fatalf("result shape: Queries %d K %d, %d indices, %d scores; want %d, %d", res.Queries, res.K, len(res.Indices), len(res.Scores), q, k)
	}
	for i := 0; i < q; i++ {
		idx, sc := res.Row(i)
		order, ref := naive(items, queries, d, i, cosine)
		in := map[int]bool{}
		for j, p := range idx {
			if in[p] {
				t.Fatalf("query %d: item %d twice in %v", i, p, idx)
			}
			in[p] = true
			if math.Abs(float64(sc[j])-ref[p]) > tol*(1+math.Abs(ref[p])) {
				t.Errorf("query %d rank %d: item %d score %v, reference %v", i, j, p, sc[j], ref[p])
			}
			if j > 0 && (sc[j] > sc[j-1] || (sc[j] == sc[j-1] && idx[j] < idx[j-1])) {
				t.Errorf("query %d: not in order at rank %d: %v %v", i, j, idx, sc)
			}
		}
		kth := float64(sc[k-1])
		for _, p := range order[:k] {
			if !in[p] && ref[p] > kth+tol*(1+math.Abs(kth)) {
				t.Errorf("query %d: item %d (score %v) missing; k-th score %v", i, p, ref[p], kth)
			}
		}
	}
}

func TestTopKExact(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	tests := []struct {
		n, d, q, k int
		opts       []retrieval.Option
	}{
		{1, 1, 1, 1, nil},
		{5, 3, 2, 5, nil},
		{1000, 8, 7, 10, nil},
		{3001, 16, 300, 5, []retrieval.Option{retrieval.BlockSize(100)}}, // two query chunks, ragged blocks
		{777, 5, 3, 20, []retrieval.Option{retrieval.BlockSize(7), retrieval.Workers(3)}},
		{2000, 32, 65, 10, []retrieval.Option{retrieval.Workers(1)}}, // tile edges: 65 queries
		{500, 12, 9, 4, []retrieval.Option{retrieval.Cosine()}},
		{50, 4, 3, 5, []retrieval.Option{retrieval.BlockSize(1 << 40), retrieval.Workers(1 << 20)}}, // clamped
		{1500, 200, 4, 3, []retrieval.Option{retrieval.Cosine(), retrieval.BlockSize(333)}},         // d above 64
	}
	for _, tc := range tests {
		items := randMatrix(r, tc.n, tc.d)
		queries := randMatrix(r, tc.q, tc.d)
		res, err := retrieval.TopK(items, queries, tc.d, tc.k, tc.opts...)
		if err != nil {
			t.Fatalf("TopK n=%d d=%d q=%d k=%d: %v", tc.n, tc.d, tc.q, tc.k, err)
		}
		cosine := false
		ix, _ := retrieval.NewIndex(items, tc.d, tc.opts...)
		if ix.Metric() == "cosine" {
			cosine = true
		}
		checkExact(t, res, items, queries, tc.d, tc.k, cosine)
	}
}

// TestTopKDeterministic: the number of workers does not change a bit of
// the result, and the item order decides ties.
func TestTopKDeterministic(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	const n, d, q, k = 5000, 32, 40, 10
	items := randMatrix(r, n, d)
	queries := randMatrix(r, q, d)
	first := map[bool]*retrieval.Result{}
	for _, w := range []int{1, 2, 3, 8} {
		for _, cos := range []bool{false, true} {
			opts := []retrieval.Option{retrieval.Workers(w), retrieval.BlockSize(256)}
			if cos {
				opts = append(opts, retrieval.Cosine())
			}
			res, err := retrieval.TopK(items, queries, d, k, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if first[cos] == nil {
				first[cos] = res
			} else if !reflect.DeepEqual(res, first[cos]) {
				t.Errorf("Workers(%d) (cosine %v) differs from Workers(1)", w, cos)
			}
		}
	}

	// Nor does the block size (with gonum's BLAS).
	for _, bs := range []int{1, 100, 1000, 5000} {
		res, err := retrieval.TopK(items, queries, d, k, retrieval.BlockSize(bs))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res, first[false]) {
			t.Errorf("BlockSize(%d) differs from BlockSize(256)", bs)
		}
	}

	// Ties: items 2, 5 and 7 equal the best; with k = 2 the lower two win.
	tied := make([]float32, 10*2)
	for _, i := range []int{7, 2, 5} {
		tied[2*i], tied[2*i+1] = 1, 1
	}
	for _, w := range []int{1, 4} {
		res, err := retrieval.TopK(tied, []float32{1, 1}, 2, 2, retrieval.Workers(w), retrieval.BlockSize(3))
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{2, 5}; !reflect.DeepEqual(res.Indices, want) || !reflect.DeepEqual(res.Scores, []float32{2, 2}) {
			t.Errorf("Workers(%d) ties: %v %v, want %v [2 2]", w, res.Indices, res.Scores, want)
		}
	}
}

func TestIndexReuse(t *testing.T) {
	items := []float32{1, 0, 0, 1, 3, 4, 0, 0}
	ix, err := retrieval.NewIndex(items, 2, retrieval.Cosine())
	if err != nil {
		t.Fatal(err)
	}
	items[0] = 100 // the Index holds a copy
	if ix.Len() != 4 || ix.Dim() != 2 || ix.Metric() != "cosine" {
		t.Errorf("Len %d Dim %d Metric %q", ix.Len(), ix.Dim(), ix.Metric())
	}
	res, err := ix.Search([]float32{2, 0, 0, 0}, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Query (1,0): cosines 1, 0, 0.6, 0 (zero item); ties 1 < 3. Zero query: all 0.
	want := []int{0, 2, 1, 3, 0, 1, 2, 3}
	wantScores := []float32{1, 0.6, 0, 0, 0, 0, 0, 0}
	if !reflect.DeepEqual(res.Indices, want) || !reflect.DeepEqual(res.Scores, wantScores) {
		t.Errorf("Search: %v %v, want %v %v", res.Indices, res.Scores, want, wantScores)
	}
	if idx, sc := res.Row(2); idx != nil || sc != nil {
		t.Errorf("Row(2) = %v %v, want nil", idx, sc)
	}
	var nilRes *retrieval.Result
	if idx, _ := nilRes.Row(0); idx != nil {
		t.Error("nil Result Row")
	}
}

func TestTopKErrors(t *testing.T) {
	items := []float32{1, 2, 3, 4, 5, 6}
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		items, queries []float32
		d, k           int
		opts           []retrieval.Option
		want           string
	}{
		{items, []float32{1, 2}, 0, 1, nil, "d = 0"},
		{items, []float32{1, 2}, -2, 1, nil, "d = -2"},
		{nil, []float32{1, 2}, 2, 1, nil, "no items"},
		{items, nil, 2, 1, nil, "no queries"},
		{items, []float32{1, 2}, 4, 1, nil, "item matrix has 6 values, not a multiple of d = 4"},
		{items, []float32{1, 2, 3}, 2, 1, nil, "query matrix has 3 values"},
		{items, []float32{1, 2}, 2, 0, nil, "k = 0"},
		{items, []float32{1, 2}, 2, 4, nil, "k = 4, want 1 <= k <= 3"},
		{[]float32{1, 2, nan, 4}, []float32{1, 2}, 2, 1, nil, "item 1, component 0 is NaN"},
		{items, []float32{1, inf}, 2, 1, nil, "query 0, component 1 is +Inf"},
		{items, []float32{1, 2}, 2, 1, []retrieval.Option{retrieval.Workers(0)}, "Workers(0)"},
		{items, []float32{1, 2}, 2, 1, []retrieval.Option{retrieval.BlockSize(-1)}, "BlockSize(-1)"},
	}
	for _, tc := range tests {
		_, err := retrieval.TopK(tc.items, tc.queries, tc.d, tc.k, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("TopK(%v, %v, d=%d, k=%d): error %v, want %q", tc.items, tc.queries, tc.d, tc.k, err, tc.want)
		}
	}
	// Overflow: item 1's dot product is +Inf + -Inf = NaN, ranked last.
	huge := float32(3e38)
	res, err := retrieval.TopK([]float32{1, 0, huge, -huge, -1, 0}, []float32{huge, huge}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Indices, []int{0, 2, 1}) || !math.IsInf(float64(res.Scores[2]), -1) {
		t.Errorf("overflow: %v %v, want [0 2 1] with -Inf last", res.Indices, res.Scores)
	}
	var ix *retrieval.Index
	if _, err := ix.Search([]float32{1}, 1); err == nil {
		t.Error("nil Index: no error")
	}
	// nil options are skipped.
	if _, err := retrieval.TopK(items, []float32{1, 2}, 2, 1, nil); err != nil {
		t.Errorf("nil option: %v", err)
	}
}

// BenchmarkTopK: N=100,000 items, d=32, q=256 queries, k=10.
func BenchmarkTopK(b *testing.B) {
	const n, d, q, k = 100000, 32, 256, 10
	r := rand.New(rand.NewSource(3))
	items := randMatrix(r, n, d)
	queries := randMatrix(r, q, d)
	for _, bc := range []struct {
		name string
		opts []retrieval.Option
	}{
		{"dot", nil},
		{"cosine", []retrieval.Option{retrieval.Cosine()}},
		{"dot_1worker", []retrieval.Option{retrieval.Workers(1)}},
	} {
		ix, err := retrieval.NewIndex(items, d, bc.opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(queries, k); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(q)*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
			b.ReportMetric(2*float64(n)*d*q*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	b.Run("TopK_with_index_build", func(b *testing.B) {
		for b.Loop() {
			if _, err := retrieval.TopK(items, queries, d, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}
