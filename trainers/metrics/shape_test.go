package metrics_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/trainers/metrics"
)

func TestBadSizes(t *testing.T) {
	tests := []struct {
		metric string
		b      batch
	}{
		{"mae", batch{[]float64{1, 2, 3}, 2, []float64{1, 2, 3}, 2}},                   // pred not a multiple
		{"mse", batch{[]float64{1, 2}, 2, []float64{1, 2, 3}, 2}},                      // target not a multiple
		{"rmse", batch{[]float64{1, 2, 3, 4}, 2, []float64{1, 2}, 2}},                  // row counts differ
		{"binary_accuracy", batch{[]float64{1, 0}, 1, []float64{1}, 1}},                // row counts differ
		{"binary_accuracy", batch{[]float64{1, 0}, 2, []float64{1, 0}, 1}},             // cols differ
		{"categorical_accuracy", batch{[]float64{1, 0}, 2, []float64{1}, 1}},           // sparse target
		{"sparse_categorical_accuracy", batch{[]float64{1, 0}, 2, []float64{1, 0}, 2}}, // one-hot target
		{"precision", batch{[]float64{1}, 0, []float64{1}, 1}},                         // zero predCols
		{"recall", batch{[]float64{1}, 1, []float64{1}, -1}},                           // negative targetCols
		{"auc", batch{[]float64{0.5, 0.5}, 2, []float64{1}, 1}},                        // cols differ
		{"accuracy", batch{[]float64{0.5, 0.5, 0.5}, 3, []float64{1}, 1}},              // categorical needs one-hot
	}
	for _, tc := range tests {
		m, err := metrics.New(tc.metric, "", 3)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.metric, err)
		}
		err = m.Update(tc.b.pred, tc.b.predCols, tc.b.target, tc.b.targetCols)
		if err == nil {
			t.Errorf("%s: Update(len %d/%d cols, len %d/%d cols): no error",
				tc.metric, len(tc.b.pred), tc.b.predCols, len(tc.b.target), tc.b.targetCols)
			continue
		}
		if !strings.Contains(err.Error(), tc.metric) {
			t.Errorf("%s: error %q does not name the metric", tc.metric, err)
		}
		if m.Result() != 0 {
			t.Errorf("%s: failed Update changed Result to %v", tc.metric, m.Result())
		}
	}
}

// TestFailedUpdateKeepsState checks that an error leaves earlier batches intact.
func TestFailedUpdateKeepsState(t *testing.T) {
	for _, name := range metrics.Names() {
		m, err := metrics.New(name, "", 1)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if err := m.Update([]float64{0.9, 0.1}, 1, []float64{1, 0}, 1); err != nil {
			t.Fatalf("%s: Update: %v", name, err)
		}
		before := m.Result()
		if err := m.Update([]float64{0.9, 0.1}, 1, []float64{1}, 1); err == nil {
			t.Errorf("%s: mismatched rows: no error", name)
		}
		if got := m.Result(); got != before {
			t.Errorf("%s: Result changed from %v to %v after a failed Update", name, before, got)
		}
	}
}
