package metrics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/trainers/metrics"
)

// rankingBatchIndex: 4 rows of 4 candidates, each with the index of its
// relevant candidate.
//
//	row 0: relevant 2 scores 0.5, one higher (0.9): rank 2
//	row 1: relevant 1 scores 0.1, the lowest: rank 4
//	row 2: all scores equal: pessimistic rank 4
//	row 3: relevant 2 scores 0.9, the highest: rank 1
var rankingBatchIndex = batch{
	pred: []float64{
		0.1, 0.9, 0.5, 0.3,
		0.8, 0.1, 0.2, 0.7,
		0.4, 0.4, 0.4, 0.4,
		0.2, 0.3, 0.9, 0.1,
	},
	predCols:   4,
	target:     []float64{2, 1, 0, 2},
	targetCols: 1,
}

func TestRankingHandComputed(t *testing.T) {
	inv := func(rank float64) float64 { return 1 / math.Log2(rank+1) }
	tests := []struct {
		name string
		b    batch
		want float64
	}{
		// Ranks 2, 4, 4, 1: hits at k=1 {1}, k=2 {2, 1}, k=4 all.
		{"recall_at_1", rankingBatchIndex, 1.0 / 4},
		{"recall_at_2", rankingBatchIndex, 2.0 / 4},
		{"recall_at_4", rankingBatchIndex, 1},
		{"recall_at_100", rankingBatchIndex, 1}, // k > candidates takes all
		{"ndcg_at_1", rankingBatchIndex, 1.0 / 4},
		{"ndcg_at_2", rankingBatchIndex, (inv(2) + inv(1)) / 4},                   // 0.40773
		{"ndcg_at_4", rankingBatchIndex, (inv(2) + inv(4) + inv(4) + inv(1)) / 4}, // 0.62307
		// The same rows as one-hot relevance give the same values.
		{"recall_at_2", oneHot(rankingBatchIndex), 2.0 / 4},
		{"ndcg_at_4", oneHot(rankingBatchIndex), (inv(2) + inv(4) + inv(4) + inv(1)) / 4},
		// Multi-hot: relevant 1, 3, 4 of 5 candidates in score order; the top 3
		// hold one of them (at position 2). The second row has no relevant
		// candidate and is skipped.
		{"recall_at_3", batch{
			[]float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 0.2, 0.3, 0.4, 0.5}, 5,
			[]float64{0, 1, 0, 1, 1, 0, 0, 0, 0, 0}, 5,
		}, 1.0 / 3},
		// DCG 1/log2(3); IDCG 1 + 1/log2(3) + 1/2: 0.29608.
		{"ndcg_at_3", batch{
			[]float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 0.2, 0.3, 0.4, 0.5}, 5,
			[]float64{0, 1, 0, 1, 1, 0, 0, 0, 0, 0}, 5,
		}, inv(2) / (1 + inv(2) + 0.5)},
		// Graded relevance 1, 2, 0 in score order, k=2: DCG (2^1-1) + (2^2-1)/log2(3),
		// IDCG (2^2-1) + (2^1-1)/log2(3): 0.79671. Both relevant are in the top 2.
		{"ndcg_at_2", batch{[]float64{0.3, 0.2, 0.1}, 3, []float64{1, 2, 0}, 3}, (1 + 3*inv(2)) / (3 + inv(2))},
		{"recall_at_2", batch{[]float64{0.3, 0.2, 0.1}, 3, []float64{1, 2, 0}, 3}, 1},
		// A tie between the relevant and an irrelevant candidate goes against
		// the relevant one, whatever the column order.
		{"recall_at_1", batch{[]float64{0.5, 0.5, 0.1}, 3, []float64{1, 0, 0}, 3}, 0},
		{"recall_at_1", batch{[]float64{0.5, 0.5, 0.1}, 3, []float64{0, 1, 0}, 3}, 0},
		{"ndcg_at_2", batch{[]float64{0.5, 0.5, 0.1}, 3, []float64{1, 0, 0}, 3}, inv(2)},
		// Infinite scores rank as any other.
		{"recall_at_1", batch{[]float64{math.Inf(-1), math.Inf(1)}, 2, []float64{1}, 1}, 1},
		// One candidate and one target column: relevance, not an index.
		{"recall_at_1", batch{[]float64{0.3, 0.7}, 1, []float64{1, 0}, 1}, 1},
	}
	for _, tc := range tests {
		m, err := metrics.New(tc.name, "", tc.b.predCols)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.name, err)
		}
		if m.Name() != tc.name {
			t.Errorf("New(%q).Name() = %q", tc.name, m.Name())
		}
		if err := m.Update(tc.b.pred, tc.b.predCols, tc.b.target, tc.b.targetCols); err != nil {
			t.Fatalf("%s: Update: %v", tc.name, err)
		}
		if got := m.Result(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s on %v / %v: got %.6f, want %.6f", tc.name, tc.b.pred, tc.b.target, got, tc.want)
		}
	}
}

// oneHot turns an index batch into a relevance batch.
func oneHot(b batch) batch {
	rel := make([]float64, len(b.pred))
	for r, idx := range b.target {
		rel[r*b.predCols+int(idx)] = 1
	}
	return batch{b.pred, b.predCols, rel, b.predCols}
}

func TestRankingConstructors(t *testing.T) {
	r, err := metrics.RecallAtK(10)
	if err != nil || r.Name() != "recall_at_10" {
		t.Fatalf("RecallAtK(10) = %v, %v", r, err)
	}
	n, err := metrics.NDCGAtK(5)
	if err != nil || n.Name() != "ndcg_at_5" {
		t.Fatalf("NDCGAtK(5) = %v, %v", n, err)
	}
	for _, k := range []int{0, -1, metrics.MaxRankingK + 1} {
		if _, err := metrics.RecallAtK(k); err == nil {
			t.Errorf("RecallAtK(%d): no error", k)
		}
		if _, err := metrics.NDCGAtK(k); err == nil {
			t.Errorf("NDCGAtK(%d): no error", k)
		}
	}
	if _, err := metrics.RecallAtK(metrics.MaxRankingK); err != nil {
		t.Errorf("RecallAtK(MaxRankingK): %v", err)
	}
}

func TestRankingNames(t *testing.T) {
	// Out of range: an error about k.
	for _, name := range []string{"recall_at_0", "ndcg_at_0", "recall_at_99999999"} {
		if _, err := metrics.New(name, "", 4); err == nil || !strings.Contains(err.Error(), "k = ") {
			t.Errorf("New(%q): error %v, want one about k", name, err)
		}
	}
	// Not the form: an unknown metric.
	for _, name := range []string{"recall_at_", "recall_at_010", "recall_at_+5", "recall_at_-5", "ndcg_at_k", "Recall_at_10", "ndcg@10"} {
		if _, err := metrics.New(name, "", 4); err == nil || !strings.Contains(err.Error(), "unknown metric") {
			t.Errorf("New(%q): error %v, want unknown metric", name, err)
		}
	}
}

func TestRankingStreaming(t *testing.T) {
	m, err := metrics.RecallAtK(2)
	if err != nil {
		t.Fatal(err)
	}
	if m.Result() != 0 {
		t.Errorf("fresh Result = %v", m.Result())
	}
	b := rankingBatchIndex
	// Rows 0, 1 then rows 2, 3: hits 1 of 2 and 1 of 2; in total 2 of 4.
	if err := m.Update(b.pred[:8], 4, b.target[:2], 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(b.pred[8:], 4, b.target[2:], 1); err != nil {
		t.Fatal(err)
	}
	if got := m.Result(); got != 0.5 {
		t.Errorf("Result = %v, want 0.5", got)
	}
	// A batch whose rows have no relevant candidate changes nothing.
	if err := m.Update([]float64{0.1, 0.2}, 2, []float64{0, 0}, 2); err != nil {
		t.Fatal(err)
	}
	if got := m.Result(); got != 0.5 {
		t.Errorf("Result after irrelevant rows = %v, want 0.5", got)
	}
	m.Reset()
	if got := m.Result(); got != 0 {
		t.Errorf("Result after Reset = %v", got)
	}
	if err := m.Update(b.pred[12:], 4, b.target[3:], 1); err != nil {
		t.Fatal(err)
	}
	if got := m.Result(); got != 1 {
		t.Errorf("Result after Reset and row 3 = %v, want 1", got)
	}
}

func TestRankingErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		b    batch
		want string
	}{
		{batch{[]float64{0.1, nan}, 2, []float64{0}, 1}, "NaN"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{2}, 1}, "index"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{-1}, 1}, "index"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{0.5}, 1}, "index"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{nan}, 1}, "index"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{-1, 1}, 2}, "relevance"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{65, 1}, 2}, "relevance"},
		{batch{[]float64{0.1, 0.2}, 2, []float64{math.Inf(1), 1}, 2}, "relevance"},
		{batch{[]float64{0.1, 0.2, 0.3, 0.4}, 4, []float64{0, 1, 0}, 3}, "targetCols 3 must be 1"},
		{batch{[]float64{0.1, 0.2, 0.3}, 2, []float64{0}, 1}, "not a multiple"},
		{batch{[]float64{0.1, 0.2, 0.3, 0.4}, 2, []float64{0}, 1}, "rows"},
		{batch{[]float64{0.1}, 0, []float64{0}, 1}, "at least 1"},
	}
	for _, name := range []string{"recall_at_1", "ndcg_at_3"} {
		m, err := metrics.New(name, "", 2)
		if err != nil {
			t.Fatal(err)
		}
		// One hit first, so that a failed Update visibly leaves it alone.
		if err := m.Update([]float64{0.9, 0.1}, 2, []float64{0}, 1); err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			err := m.Update(tc.b.pred, tc.b.predCols, tc.b.target, tc.b.targetCols)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s: Update(%v, %d, %v, %d) error %v, want one naming %s and containing %q",
					name, tc.b.pred, tc.b.predCols, tc.b.target, tc.b.targetCols, err, name, tc.want)
			}
			if got := m.Result(); got != 1 {
				t.Errorf("%s: Result after failed Update = %v, want 1", name, got)
			}
		}
	}
}

// TestRankingLargeRow checks a row of many candidates against a direct
// count: the relevant candidate's rank is one more than the candidates
// scored above it.
func TestRankingLargeRow(t *testing.T) {
	const cols = 1000
	pred := make([]float64, cols)
	for j := range pred {
		pred[j] = float64((j * 7919) % cols) // a permutation of 0..999
	}
	rel := 123
	above := 0
	for _, v := range pred {
		if v > pred[rel] {
			above++
		}
	}
	rank := above + 1
	for _, k := range []int{rank - 1, rank, rank + 1} {
		r, _ := metrics.RecallAtK(k)
		n, _ := metrics.NDCGAtK(k)
		for _, m := range []metrics.Metric{r, n} {
			if err := m.Update(pred, cols, []float64{float64(rel)}, 1); err != nil {
				t.Fatal(err)
			}
		}
		wantR, wantN := 0.0, 0.0
		if rank <= k {
			wantR, wantN = 1, 1/math.Log2(float64(rank)+1)
		}
		if r.Result() != wantR || math.Abs(n.Result()-wantN) > 1e-15 {
			t.Errorf("k=%d rank=%d: recall %v ndcg %v, want %v %v", k, rank, r.Result(), n.Result(), wantR, wantN)
		}
	}
}
