package zoo

import (
	"math"
	"testing"
)

func TestLeastSquares(t *testing.T) {
	tests := []struct {
		name    string
		x, y    []float64
		w, b    float64
		wantErr bool
	}{
		{"exact line", []float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}, 2, 1, false},
		{"symmetric noise", []float64{0, 0, 1, 1}, []float64{-1, 1, 2, 4}, 3, 0, false},
		{"constant x", []float64{1, 1}, []float64{1, 2}, 0, 0, true},
		{"empty", nil, nil, 0, 0, true},
		{"unequal", []float64{1, 2}, []float64{1}, 0, 0, true},
	}
	for _, tc := range tests {
		w, b, err := leastSquares(tc.x, tc.y)
		if tc.wantErr {
			if err == nil {
				t.Errorf("%s: no error", tc.name)
			}
			continue
		}
		if err != nil || math.Abs(w-tc.w) > 1e-12 || math.Abs(b-tc.b) > 1e-12 {
			t.Errorf("%s: got %g, %g, %v; want %g, %g", tc.name, w, b, err, tc.w, tc.b)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	d := Settings{Epochs: 10, BatchSize: 32, LR: 0.01, Seed: 42, Verbose: 0}
	tests := []struct {
		name string
		in   Settings
		want Settings
	}{
		{"all zero", Settings{}, d},
		{"epochs set", Settings{Epochs: 3}, Settings{Epochs: 3, BatchSize: 32, LR: 0.01, Seed: 42}},
		{"all set", Settings{Epochs: 1, BatchSize: 2, LR: 0.5, Seed: 9, Verbose: 2},
			Settings{Epochs: 1, BatchSize: 2, LR: 0.5, Seed: 9, Verbose: 2}},
	}
	for _, tc := range tests {
		got, err := tc.in.withDefaults(d)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}
