package metrics_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/trainers/metrics"
)

func TestNamesSortedAndAccepted(t *testing.T) {
	names := metrics.Names()
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
	for _, n := range names {
		if _, err := metrics.New(n, "", 2); err != nil {
			t.Errorf("New(%q): %v", n, err)
		}
	}
	names[0] = "changed"
	if metrics.Names()[0] == "changed" {
		t.Error("Names() shares its slice between calls")
	}
}

func TestCanonicalNames(t *testing.T) {
	tests := []struct{ name, want string }{
		{"accuracy", "accuracy"},
		{"acc", "accuracy"},
		{"binary_accuracy", "binary_accuracy"},
		{"categorical_accuracy", "categorical_accuracy"},
		{"sparse_categorical_accuracy", "sparse_categorical_accuracy"},
		{"mae", "mae"},
		{"mean_absolute_error", "mae"},
		{"mse", "mse"},
		{"mean_squared_error", "mse"},
		{"rmse", "rmse"},
		{"root_mean_squared_error", "rmse"},
		{"precision", "precision"},
		{"recall", "recall"},
		{"auc", "auc"},
	}
	for _, tc := range tests {
		m, err := metrics.New(tc.name, "mse", 1)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.name, err)
		}
		if got := m.Name(); got != tc.want {
			t.Errorf("New(%q).Name() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUnknownName(t *testing.T) {
	for _, name := range []string{"", "Accuracy", "f1", "top_k_categorical_accuracy"} {
		_, err := metrics.New(name, "", 1)
		if err == nil {
			t.Errorf("New(%q): no error", name)
			continue
		}
		for _, valid := range []string{"accuracy", "auc", "rmse", "sparse_categorical_accuracy"} {
			if !strings.Contains(err.Error(), valid) {
				t.Errorf("New(%q) error %q does not list %q", name, err, valid)
			}
		}
	}
}

// TestAccuracyResolution checks which accuracy "accuracy" becomes by
// probing each candidate with a batch only it scores as 1.
func TestAccuracyResolution(t *testing.T) {
	const (
		binary      = "binary"
		categorical = "categorical"
		sparse      = "sparse"
	)
	tests := []struct {
		loss     string
		predCols int
		want     string
	}{
		{"binary_crossentropy", 1, binary},
		{"binary_crossentropy", 3, binary},
		{"sparse_categorical_crossentropy", 1, binary},
		{"sparse_categorical_crossentropy", 3, sparse},
		{"categorical_crossentropy", 1, binary},
		{"categorical_crossentropy", 3, categorical},
		{"categorical_crossentropy", 0, categorical},
		{"mse", 1, binary},
		{"", 1, binary},
		{"hinge", 2, categorical},
		{"", 3, categorical},
	}
	for _, tc := range tests {
		for _, name := range []string{"accuracy", "acc"} {
			m, err := metrics.New(name, tc.loss, tc.predCols)
			if err != nil {
				t.Fatalf("New(%q, %q, %d): %v", name, tc.loss, tc.predCols, err)
			}
			if m.Name() != "accuracy" {
				t.Errorf("New(%q, %q, %d).Name() = %q, want accuracy", name, tc.loss, tc.predCols, m.Name())
			}
			if got := accuracyKind(t, m); got != tc.want {
				t.Errorf("New(%q, %q, %d) is %s accuracy, want %s", name, tc.loss, tc.predCols, got, tc.want)
			}
		}
	}
	for _, predCols := range []int{0, -1} {
		if _, err := metrics.New("accuracy", "mse", predCols); err == nil {
			t.Errorf("New(accuracy, mse, %d): no error", predCols)
		}
	}
}

// accuracyKind tells the three accuracies apart by their behaviour.
func accuracyKind(t *testing.T, m metrics.Metric) string {
	t.Helper()
	// Only sparse accepts one target column with two prediction columns.
	if err := m.Update([]float64{0.2, 0.8}, 2, []float64{1}, 1); err == nil {
		return "sparse"
	}
	// Categorical scores this row 1 (argmax 0 both), binary 0 (0.4 -> 0 != 1).
	if err := m.Update([]float64{0.4, 0.3}, 2, []float64{1, 0}, 2); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if m.Result() == 1 {
		return "categorical"
	}
	return "binary"
}
