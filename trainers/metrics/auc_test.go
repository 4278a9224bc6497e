package metrics_test

import (
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/gokeras/gokeras/trainers/metrics"
)

// exactAUC is the exact trapezoid ROC AUC (the Mann-Whitney statistic, ties
// counted one half), computed by sorting.
func exactAUC(scores, labels []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg, negBelow, wins float64
	for _, l := range labels {
		if l != 0 {
			pos++
		} else {
			neg++
		}
	}
	for i := 0; i < len(idx); {
		j := i
		var p, n float64
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if labels[idx[j]] != 0 {
				p++
			} else {
				n++
			}
		}
		wins += p * (negBelow + n/2)
		negBelow += n
		i = j
	}
	return wins / (pos * neg)
}

func newAUC(t *testing.T) metrics.Metric {
	t.Helper()
	m, err := metrics.New("auc", "", 1)
	if err != nil {
		t.Fatalf("New(auc): %v", err)
	}
	return m
}

func TestAUCMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	const n = 2000
	scores := make([]float64, n)
	labels := make([]float64, n)
	for i := range scores {
		if rng.Float64() < 0.4 {
			labels[i] = 1
		}
		// Overlapping classes: logistic of a shifted normal.
		z := rng.NormFloat64() + 1.2*labels[i]
		scores[i] = 1 / (1 + math.Exp(-z))
	}
	want := exactAUC(scores, labels)
	m := newAUC(t)
	// Stream in uneven batches, two columns wide (elements are pooled).
	for start := 0; start < n; {
		end := start + 2*(1+start%37)
		if end > n {
			end = n
		}
		if err := m.Update(scores[start:end], 2, labels[start:end], 2); err != nil {
			t.Fatalf("Update: %v", err)
		}
		start = end
	}
	got := m.Result()
	t.Logf("auc %v, exact %v", got, want)
	if math.Abs(got-want) > 0.01 {
		t.Errorf("auc = %v, exact trapezoid AUC = %v (diff %v)", got, want, got-want)
	}
	if want < 0.7 || want > 0.9 {
		t.Errorf("test case too easy or too hard: exact AUC %v", want)
	}
}

func TestAUCCases(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []float64
		want   float64
	}{
		{"separated", []float64{0.1, 0.9, 0.2, 0.8, 0.05}, []float64{0, 1, 0, 1, 0}, 1},
		{"separated at the ends", []float64{0, 1, 0, 1}, []float64{0, 1, 0, 1}, 1},
		{"inverted", []float64{0.9, 0.1, 0.8, 0.2}, []float64{0, 1, 0, 1}, 0},
		{"constant", []float64{0.3, 0.3, 0.3, 0.3, 0.3}, []float64{1, 0, 0, 1, 0}, 0.5},
		{"constant zero", []float64{0, 0, 0}, []float64{1, 0, 1}, 0.5},
		{"clipped", []float64{-3, 4, -0.5, 2}, []float64{0, 1, 0, 1}, 1},
		{"same bucket", []float64{0.501, 0.502}, []float64{1, 0}, 0.5},
		{"no positives", []float64{0.1, 0.9}, []float64{0, 0}, 0},
		{"no negatives", []float64{0.1, 0.9}, []float64{1, 1}, 0},
		{"labels not 0 are positive", []float64{0.2, 0.7}, []float64{0, 0.3}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newAUC(t)
			half := len(tc.scores) / 2
			for _, r := range [][2]int{{0, half}, {half, len(tc.scores)}} {
				if err := m.Update(tc.scores[r[0]:r[1]], 1, tc.labels[r[0]:r[1]], 1); err != nil {
					t.Fatalf("Update: %v", err)
				}
			}
			if got := m.Result(); got != tc.want {
				t.Errorf("auc = %v, want exactly %v", got, tc.want)
			}
		})
	}
}

func TestAUCNaN(t *testing.T) {
	m := newAUC(t)
	if err := m.Update([]float64{0.2, math.NaN()}, 1, []float64{0, 1}, 1); err == nil {
		t.Error("NaN prediction: no error")
	}
	if err := m.Update([]float64{0.2, 0.9}, 1, []float64{0, 1}, 1); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := m.Result(); got != 1 {
		t.Errorf("auc after a rejected NaN batch = %v, want 1", got)
	}
}
