package datasets

import (
	"errors"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestCheckFiniteMulti(t *testing.T) {
	const n = 2500 // three chunks: 1024, 1024, 452
	tests := []struct {
		name    string
		names   bool // name the tensors
		dtype   tensor.Dtype
		featAt  int // flat index into features ([3 2]) to spoil, -1 for none
		clickAt int // flat index into click ([2]) to spoil, -1 for none
		bad     float64
		wantErr string
	}{
		{"clean float64", true, tensor.Float64, -1, -1, 0, ""},
		{"clean float32 unnamed", false, tensor.Float32, -1, -1, 0, ""},
		{"NaN in input, first chunk", true, tensor.Float64, 5*6 + 4, -1, math.NaN(),
			`datasets.CheckFiniteMulti: input "features" of example 5 has NaN at flat position 4`},
		{"NaN in input, last chunk", true, tensor.Float32, 2400*6 + 3, -1, math.NaN(), `input "features" of example 2400 has NaN at flat position 3`},
		{"Inf in target", true, tensor.Float64, -1, 1500*2 + 1, math.Inf(1), `target "click" of example 1500 has +Inf at flat position 1`},
		{"-Inf in unnamed target", false, tensor.Float32, -1, 2499 * 2, math.Inf(-1), "target 0 of example 2499 has -Inf at flat position 0"},
		{"inputs before targets", false, tensor.Float64, 2000 * 6, 10 * 2, math.NaN(), "input 1 of example 2000 has NaN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feats, clicks := seq(n*6), seq(n*2)
			if tc.featAt >= 0 {
				feats[tc.featAt] = tc.bad
			}
			if tc.clickAt >= 0 {
				clicks[tc.clickAt] = tc.bad
			}
			var inNames, outNames []string
			if tc.names {
				inNames, outNames = []string{"user_id", "features"}, []string{"click"}
			}
			base, err := NewTensors(inNames,
				[]*tensor.Dense{anyDense(tensor.Int64, seq(n), n), dense(tc.dtype, feats, n, 3, 2)},
				outNames, []*tensor.Dense{dense(tc.dtype, clicks, n, 2)})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []Multi{base, plainMulti{base}} {
				checkErr(t, CheckFiniteMulti(m), tc.wantErr)
			}
		})
	}
}

func TestCheckFiniteMultiGathersOneTensor(t *testing.T) {
	spy := &spyMulti{Tensors: userTensors(t)} // user_id int64, features float32, click float64
	if err := CheckFiniteMulti(spy); err != nil {
		t.Fatal(err)
	}
	if spy.multi != 0 || spy.input != 1 || spy.target != 1 {
		t.Errorf("calls: %d GatherMulti, %d GatherInput, %d GatherTarget; want 0, 1 (features only), 1", spy.multi, spy.input, spy.target)
	}
}

func TestCheckFiniteMultiOverDataset(t *testing.T) {
	x := seq(6)
	x[3] = math.NaN()
	ds, err := NewTensor(dense(tensor.Float32, x, 3, 2), dense(tensor.Float32, seq(3), 3))
	if err != nil {
		t.Fatal(err)
	}
	checkErr(t, CheckFiniteMulti(AsMulti(ds)), "input 0 of example 1 has NaN at flat position 1")
	checkErr(t, CheckFinite(ds), "x of example 1 has NaN at flat position 1")
}

// failingMulti is a Multi whose GatherMulti always fails.
type failingMulti struct{ n int }

func (f failingMulti) Len() int { return f.n }
func (f failingMulti) Inputs() []Spec {
	return []Spec{{Name: "a", Shape: []int{2}, DType: tensor.Float32}}
}
func (f failingMulti) Targets() []Spec { return nil }
func (failingMulti) GatherMulti(_ []int, _, _ []*tensor.Dense) error {
	return errors.New("disk on fire")
}

func TestCheckFiniteMultiErrors(t *testing.T) {
	tests := []struct {
		name    string
		m       Multi
		wantErr string
	}{
		{"nil", nil, "datasets.CheckFiniteMulti: nil data set"},
		{"gather fails", failingMulti{3}, `input "a", examples 0 to 2: disk on fire`},
		{"empty", failingMulti{0}, "empty data set (0 examples)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckFiniteMulti(tc.m), tc.wantErr)
		})
	}
}
