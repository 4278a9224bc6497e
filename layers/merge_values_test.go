package layers_test

import (
	"io"
	"math"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestMergeValues: every merge layer, in a functional model run by the trainer's
// Predict, computes Keras' result on hand-checked inputs (one example each), in
// float32 and float64. Keras axes count the batch as axis 0; negative ones count
// from the end.
func TestMergeValues(t *testing.T) {
	type input struct {
		shape []int
		data  []float64
	}
	v := func(d ...float64) input { return input{[]int{len(d)}, d} }
	m2 := func(r, c int, d ...float64) input { return input{[]int{r, c}, d} }
	a, b, c := v(1, 50), v(10, 20), v(5, 30)
	tests := []struct {
		name  string
		layer func() layers.Layer
		in    []input
		out   []int
		want  []float64
	}{
		{"add of one", func() layers.Layer { return layers.Add() }, []input{a}, []int{2}, []float64{1, 50}},
		{"add of three", func() layers.Layer { return layers.Add() }, []input{a, b, c}, []int{2}, []float64{16, 100}},
		{"subtract", func() layers.Layer { return layers.Subtract() }, []input{a, b}, []int{2}, []float64{-9, 30}},
		{"multiply of three", func() layers.Layer { return layers.Multiply() }, []input{a, b, c}, []int{2}, []float64{50, 30000}},
		{"average of three", func() layers.Layer { return layers.Average() }, []input{a, b, c}, []int{2}, []float64{16.0 / 3, 100.0 / 3}},
		{"maximum of three", func() layers.Layer { return layers.Maximum() }, []input{a, b, c}, []int{2}, []float64{10, 50}},
		{"minimum of three", func() layers.Layer { return layers.Minimum() }, []input{a, b, c}, []int{2}, []float64{1, 20}},
		{"concatenate -1", func() layers.Layer { return layers.Concatenate(-1) }, []input{a, v(7, 8, 9)}, []int{5}, []float64{1, 50, 7, 8, 9}},
		{"concatenate axis 1 of matrices", func() layers.Layer { return layers.Concatenate(1) },
			[]input{m2(1, 2, 1, 2), m2(2, 2, 3, 4, 5, 6)}, []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"concatenate -2 of matrices", func() layers.Layer { return layers.Concatenate(-2) },
			[]input{m2(1, 2, 1, 2), m2(2, 2, 3, 4, 5, 6)}, []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"concatenate 2 of matrices", func() layers.Layer { return layers.Concatenate(2) },
			[]input{m2(2, 1, 1, 2), m2(2, 2, 3, 4, 5, 6)}, []int{2, 3}, []float64{1, 3, 4, 2, 5, 6}},
		{"dot of vectors", func() layers.Layer { return layers.Dot(1) }, []input{v(1, 2, 3), v(4, 5, 6)}, []int{1}, []float64{32}},
		{"dot axis -1", func() layers.Layer { return layers.Dot(-1) }, []input{v(1, 2, 3), v(4, 5, 6)}, []int{1}, []float64{32}},
		{"cosine similarity", func() layers.Layer { return layers.Dot(1, layers.WithNormalize(true)) },
			[]input{v(3, 4), v(4, 3)}, []int{1}, []float64{24.0 / 25}},
		{"dot of matrices axes 2", func() layers.Layer { return layers.Dot(2) },
			[]input{m2(2, 2, 1, 2, 3, 4), m2(1, 2, 1, 1)}, []int{2, 1}, []float64{3, 7}},
		{"dot of matrices axes 1", func() layers.Layer { return layers.Dot(1) },
			[]input{m2(2, 2, 1, 2, 3, 4), m2(2, 1, 1, 1)}, []int{2, 1}, []float64{4, 6}},
		{"dot of matrices axes 1 and 2", func() layers.Layer { return layers.DotAxes(1, 2) },
			[]input{m2(2, 3, 1, 2, 3, 4, 5, 6), m2(1, 2, 1, 10)}, []int{3, 1}, []float64{41, 52, 63}},
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, tc := range tests {
			t.Run(dt.String()+"/"+tc.name, func(t *testing.T) {
				ins := make([]*layers.Tensor, len(tc.in))
				xs := make([]*tensor.Dense, len(tc.in))
				for i, x := range tc.in {
					ins[i] = layers.NewInput(string(rune('a'+i)), layers.Shape(x.shape...))
					shape := append([]int{1}, x.shape...)
					if dt == tensor.Float32 {
						d := make([]float32, len(x.data))
						for j, f := range x.data {
							d[j] = float32(f)
						}
						xs[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
					} else {
						xs[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), x.data...)))
					}
				}
				m, err := layers.NewModel(ins, []*layers.Tensor{layers.Apply(tc.layer(), ins...)[0]})
				if err != nil {
					t.Fatal(err)
				}
				tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithDType(dt), trainers.WithOutput(io.Discard))
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				if got := m.Outputs()[0].Shape; !harnessSameShape(got, tc.out) {
					t.Errorf("output shape %v, want %v", got, tc.out)
				}
				outs, err := tr.PredictTensors(xs)
				if err != nil {
					t.Fatal(err)
				}
				got := harnessValues(outs[0])
				if len(got) != len(tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				for i := range got {
					if math.Abs(got[i]-tc.want[i]) > 1e-6*math.Max(1, math.Abs(tc.want[i])) {
						t.Fatalf("got %v, want %v", got, tc.want)
					}
				}
			})
		}
	}
}
