package trainers_test

import (
	"io"
	"math"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

func TestPredictLogits(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 2, -3, 0.5, 40, -40}))
	for _, c := range []struct{ act, want string }{{"softmax", "softmax"}, {"sigmoid", "sigmoid"}, {"tanh", ""}, {"linear", ""}} {
		m := layers.NewSequential(layers.Input(2), layers.Dense(3, layers.WithActivation(c.act)))
		tr, err := trainers.New(m, trainers.WithSeed(2), trainers.WithOutput(io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		z, act, err := tr.PredictLogits(x, trainers.BatchSize(2))
		if err != nil {
			t.Fatal(err)
		}
		p, err := tr.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		if act != c.want {
			t.Errorf("%s: activation %q, want %q", c.act, act, c.want)
		}
		zs, ps := z.Data().([]float32), p.Data().([]float32)
		for r := 0; r < 3; r++ {
			row := zs[r*3 : r*3+3]
			sum := 0.0
			for _, v := range row {
				sum += math.Exp(float64(v))
			}
			for k, v := range row {
				want := float64(v) // no recorded activation: the outputs themselves
				switch c.act {
				case "softmax":
					want = math.Exp(float64(v)) / sum
				case "sigmoid":
					want = 1 / (1 + math.Exp(-float64(v)))
				}
				if math.Abs(want-float64(ps[r*3+k])) > 1e-6 {
					t.Errorf("%s: row %d class %d: activation of the logit %v, Predict %v", c.act, r, k, want, ps[r*3+k])
				}
			}
		}
	}
	two := layers.NewSequential(layers.Input(2), layers.Dense(1))
	tr, err := trainers.New(two, trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.PredictLogits(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 2, 3}))); err == nil {
		t.Error("a row of the wrong width: no error")
	}
}
