package trainers_test

import (
	"bytes"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// dense32 returns a float32 tensor of the given shape holding vals.
func dense32(shape []int, vals ...float64) *tensor.Dense {
	d := make([]float32, len(vals))
	for i, v := range vals {
		d[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// newTrainer builds a trainer writing progress to a buffer.
func newTrainer(t *testing.T, model layers.Model, opts ...trainers.Option) *trainers.Trainer {
	t.Helper()
	tr, err := trainers.New(model, append([]trainers.Option{trainers.WithOutput(&bytes.Buffer{})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// weights returns a copy of every parameter's values.
func weights(m layers.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, p.Float64s())
	}
	return out
}

func equalWeights(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}
