package datasets

import (
	"errors"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestCheckFinite(t *testing.T) {
	const n = 2500 // three chunks: 1024, 1024, 452
	tests := []struct {
		name    string
		dtype   tensor.Dtype
		xAt     int // flat index into x to spoil, -1 for none
		yAt     int // flat index into y to spoil, -1 for none
		bad     float64
		wantErr string
	}{
		{"clean float64", tensor.Float64, -1, -1, 0, ""},
		{"clean float32", tensor.Float32, -1, -1, 0, ""},
		{"NaN in x, first chunk", tensor.Float64, 5*6 + 4, -1, math.NaN(), "x of example 5 has NaN at flat position 4"},
		{"NaN in x, last chunk", tensor.Float32, 2400*6 + 3, -1, math.NaN(), "x of example 2400 has NaN at flat position 3"},
		{"Inf in y", tensor.Float64, -1, 1500*2 + 1, math.Inf(1), "y of example 1500 has +Inf at flat position 1"},
		{"-Inf in y", tensor.Float32, -1, 2499 * 2, math.Inf(-1), "y of example 2499 has -Inf at flat position 0"},
		{"first of two", tensor.Float64, 2000 * 6, 10 * 2, math.NaN(), "y of example 10 has NaN at flat position 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y := seq(n*6), seq(n*2)
			if tc.xAt >= 0 {
				x[tc.xAt] = tc.bad
			}
			if tc.yAt >= 0 {
				y[tc.yAt] = tc.bad
			}
			ds, err := NewTensor(dense(tc.dtype, x, n, 3, 2), dense(tc.dtype, y, n, 2))
			if err != nil {
				t.Fatal(err)
			}
			checkErr(t, CheckFinite(ds), tc.wantErr)
		})
	}
}

// failing is a Dataset whose Gather always fails.
type failing struct{}

func (failing) Len() int                                 { return 3 }
func (failing) XShape() []int                            { return []int{1} }
func (failing) YShape() []int                            { return []int{1} }
func (failing) Gather(_ []int, _, _ *tensor.Dense) error { return errors.New("disk on fire") }

// empty is a Dataset with no examples.
type empty struct{ failing }

func (empty) Len() int { return 0 }

func TestCheckFiniteErrors(t *testing.T) {
	tests := []struct {
		name    string
		ds      Dataset
		wantErr string
	}{
		{"nil", nil, "nil data set"},
		{"gather fails", failing{}, "examples 0 to 2: disk on fire"},
		{"empty", empty{}, "empty data set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckFinite(tc.ds), tc.wantErr)
		})
	}
}
