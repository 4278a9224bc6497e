package metrics_test

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/trainers/metrics"
)

// batch is one Update call.
type batch struct {
	pred       []float64
	predCols   int
	target     []float64
	targetCols int
}

func TestStreaming(t *testing.T) {
	tests := []struct {
		name     string // passed to New
		loss     string
		logName  string
		batches  [2]batch
		want     float64
		wantOnly float64 // Result after Reset and the second batch alone
	}{
		{
			// 0.9>0.5 ok, 0.2 ok, 0.6 wrong, 0.4 ok: 3/4; 0.7 ok, 0.5 (not > 0.5) wrong: 1/2.
			// Sums: 4/6, not the mean of batch means 0.625.
			name: "binary_accuracy", logName: "binary_accuracy",
			batches: [2]batch{
				{[]float64{0.9, 0.2, 0.6, 0.4}, 1, []float64{1, 0, 0, 0}, 1},
				{[]float64{0.7, 0.5}, 1, []float64{1, 1}, 1},
			},
			want: 4.0 / 6, wantOnly: 0.5,
		},
		{
			// Two columns: row means 1/2 and 1 in batch 1, 0 in batch 2: (0.5+1+0)/3.
			name: "binary_accuracy", logName: "binary_accuracy",
			batches: [2]batch{
				{[]float64{0.9, 0.2, 0.1, 0.3}, 2, []float64{1, 1, 0, 0}, 2},
				{[]float64{0.8, 0.8}, 2, []float64{0, 0}, 2},
			},
			want: 0.5, wantOnly: 0,
		},
		{
			// Batch 1: hit, miss. Batch 2: hit, hit (tie -> first column), miss. 3/5.
			name: "categorical_accuracy", logName: "categorical_accuracy",
			batches: [2]batch{
				{[]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, 3, []float64{0, 1, 0, 0, 0, 1}, 3},
				{[]float64{0.2, 0.2, 0.6, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4}, 3, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, 3},
			},
			want: 3.0 / 5, wantOnly: 2.0 / 3,
		},
		{
			// Batch 1: 2 of 3. Batch 2: 1 of 1. 3/4 (mean of batch means would be 5/6).
			name: "sparse_categorical_accuracy", logName: "sparse_categorical_accuracy",
			batches: [2]batch{
				{[]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.5, 0.3}, 3, []float64{1, 2, 1}, 1},
				{[]float64{0.9, 0.05, 0.05}, 3, []float64{0}, 1},
			},
			want: 0.75, wantOnly: 1,
		},
		{
			// Sparse targets that are not integer ids never match.
			name: "sparse_categorical_accuracy", logName: "sparse_categorical_accuracy",
			batches: [2]batch{
				{[]float64{0.1, 0.9}, 2, []float64{1.5}, 1},
				{[]float64{0.1, 0.9}, 2, []float64{1}, 1},
			},
			want: 0.5, wantOnly: 1,
		},
		{
			// |err| 0.5 0 | 1 2 -> row means 0.25, 1.5; then 1 1 -> 1. (0.25+1.5+1)/3.
			name: "mean_absolute_error", logName: "mae",
			batches: [2]batch{
				{[]float64{1, 2, 3, 4}, 2, []float64{1.5, 2, 2, 6}, 2},
				{[]float64{0, 0}, 2, []float64{1, -1}, 2},
			},
			want: 2.75 / 3, wantOnly: 1,
		},
		{
			// err^2 0.25 0 | 1 4 -> 0.125, 2.5; then 1 1 -> 1. (0.125+2.5+1)/3.
			name: "mse", logName: "mse",
			batches: [2]batch{
				{[]float64{1, 2, 3, 4}, 2, []float64{1.5, 2, 2, 6}, 2},
				{[]float64{0, 0}, 2, []float64{1, -1}, 2},
			},
			want: 3.625 / 3, wantOnly: 1,
		},
		{
			// Total squared error 0.25+0+1+4+1+1 = 7.25 over 6 elements.
			name: "root_mean_squared_error", logName: "rmse",
			batches: [2]batch{
				{[]float64{1, 2, 3, 4}, 2, []float64{1.5, 2, 2, 6}, 2},
				{[]float64{0, 0}, 2, []float64{1, -1}, 2},
			},
			want: math.Sqrt(7.25 / 6), wantOnly: 1,
		},
		{
			// Batch 1: TP, FN, FP, TN. Batch 2: TP, FP. tp=2 fp=2 fn=1.
			name: "precision", logName: "precision",
			batches: [2]batch{
				{[]float64{0.9, 0.4, 0.6, 0.2}, 2, []float64{1, 1, 0, 0}, 2},
				{[]float64{0.8, 0.7}, 2, []float64{1, 0}, 2},
			},
			want: 0.5, wantOnly: 0.5,
		},
		{
			name: "recall", logName: "recall",
			batches: [2]batch{
				{[]float64{0.9, 0.4, 0.6, 0.2}, 2, []float64{1, 1, 0, 0}, 2},
				{[]float64{0.8, 0.7}, 2, []float64{1, 0}, 2},
			},
			want: 2.0 / 3, wantOnly: 1,
		},
		{
			// Nothing predicted positive and no positive target: both undefined -> 0.
			name: "precision", logName: "precision",
			batches: [2]batch{
				{[]float64{0.1, 0.5}, 1, []float64{0, 0}, 1},
				{[]float64{0.3}, 1, []float64{0}, 1},
			},
			want: 0, wantOnly: 0,
		},
		{
			name: "recall", logName: "recall",
			batches: [2]batch{
				{[]float64{0.1, 0.9}, 1, []float64{0, 0}, 1},
				{[]float64{0.3}, 1, []float64{0}, 1},
			},
			want: 0, wantOnly: 0,
		},
		{
			// sklearn's example y=[0 0 1 1], s=[0.1 0.4 0.35 0.8]: 0.75 (all in distinct buckets).
			name: "auc", logName: "auc",
			batches: [2]batch{
				{[]float64{0.1, 0.4}, 1, []float64{0, 0}, 1},
				{[]float64{0.35, 0.8}, 1, []float64{1, 1}, 1},
			},
			want: 0.75, wantOnly: 0,
		},
		{
			// "acc" with categorical_crossentropy: categorical accuracy logged as "accuracy".
			name: "acc", loss: "categorical_crossentropy", logName: "accuracy",
			batches: [2]batch{
				{[]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, 3, []float64{0, 1, 0, 0, 0, 1}, 3},
				{[]float64{0.2, 0.2, 0.6, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4}, 3, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, 3},
			},
			want: 3.0 / 5, wantOnly: 2.0 / 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := metrics.New(tc.name, tc.loss, tc.batches[0].predCols)
			if err != nil {
				t.Fatalf("New(%q): %v", tc.name, err)
			}
			if got := m.Name(); got != tc.logName {
				t.Errorf("Name() = %q, want %q", got, tc.logName)
			}
			if got := m.Result(); got != 0 {
				t.Errorf("Result() before any Update = %v, want 0", got)
			}
			for i, b := range tc.batches {
				if err := m.Update(b.pred, b.predCols, b.target, b.targetCols); err != nil {
					t.Fatalf("Update %d: %v", i, err)
				}
			}
			if got := m.Result(); !near(got, tc.want, 1e-12) {
				t.Errorf("Result() = %v, want %v", got, tc.want)
			}
			m.Reset()
			if got := m.Result(); got != 0 {
				t.Errorf("Result() after Reset = %v, want 0", got)
			}
			b := tc.batches[1]
			if err := m.Update(b.pred, b.predCols, b.target, b.targetCols); err != nil {
				t.Fatalf("Update after Reset: %v", err)
			}
			if got := m.Result(); !near(got, tc.wantOnly, 1e-12) {
				t.Errorf("Result() after Reset and batch 2 = %v, want %v", got, tc.wantOnly)
			}
		})
	}
}

// TestEmptyBatch checks that a batch of zero rows is accepted and changes nothing.
func TestEmptyBatch(t *testing.T) {
	for _, name := range metrics.Names() {
		m, err := metrics.New(name, "", 1)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if err := m.Update(nil, 1, nil, 1); err != nil {
			t.Errorf("%s: Update of an empty batch: %v", name, err)
		}
		if got := m.Result(); got != 0 {
			t.Errorf("%s: Result() = %v, want 0", name, got)
		}
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSparseAccuracyOverSequences(t *testing.T) {
	tests := []struct {
		name   string
		pred   []float64
		target []float64
		want   float64
	}{
		// Two rows of 3 positions of 2 classes each.
		{"all positions counted", []float64{0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.3, 0.7, 0.9, 0.1}, []float64{0, 1, 1, 1, 0, 0}, 4.0 / 6},
		{"negative ids ignored", []float64{0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.3, 0.7, 0.9, 0.1}, []float64{0, 1, -100, 1, -1, 0}, 4.0 / 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := metrics.New("accuracy", "sparse_categorical_crossentropy", 6)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Update(tc.pred, 6, tc.target, 3); err != nil {
				t.Fatal(err)
			}
			if got := m.Result(); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("accuracy %g, want %g", got, tc.want)
			}
		})
	}
}
