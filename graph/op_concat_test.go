package graph

import (
	"fmt"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func concatBuild(axis int) BuildFunc {
	return func(g *Graph, in []*G.Node) (*G.Node, error) { return Concat(axis, in...) }
}

func dense64(shape []int, data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func TestConcatForward(t *testing.T) {
	tests := []struct {
		name   string
		axis   int
		inputs []*tensor.Dense
		shape  []int
		want   []float64
	}{
		{"last_axis", -1, []*tensor.Dense{
			dense64([]int{2, 2}, 1, 2, 3, 4),
			dense64([]int{2, 3}, 5, 6, 7, 8, 9, 10)},
			[]int{2, 5}, []float64{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}},
		{"axis1_rank3", 1, []*tensor.Dense{
			dense64([]int{2, 1, 2}, 1, 2, 3, 4),
			dense64([]int{2, 2, 2}, 5, 6, 7, 8, 9, 10, 11, 12)},
			[]int{2, 3, 2}, []float64{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}},
		{"axis2_rank3_three_inputs", 2, []*tensor.Dense{
			dense64([]int{2, 2, 1}, 1, 2, 3, 4),
			dense64([]int{2, 2, 1}, 5, 6, 7, 8),
			dense64([]int{2, 2, 2}, 10, 11, 12, 13, 14, 15, 16, 17)},
			[]int{2, 2, 4}, []float64{1, 5, 10, 11, 2, 6, 12, 13, 3, 7, 14, 15, 4, 8, 16, 17}},
		{"batch_axis", 0, []*tensor.Dense{
			dense64([]int{1, 2}, 1, 2),
			dense64([]int{2, 2}, 3, 4, 5, 6)},
			[]int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"one_input", -2, []*tensor.Dense{dense64([]int{2, 2}, 1, 2, 3, 4)}, []int{2, 2}, []float64{1, 2, 3, 4}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s_%v", tc.name, dt), func(t *testing.T) {
				ins := tc.inputs
				if dt == tensor.Float32 {
					ins = make([]*tensor.Dense, len(tc.inputs))
					for i, in := range tc.inputs {
						ins[i] = asF32(in)
					}
				}
				e, out, _ := execBuild(t, concatBuild(tc.axis), nil, nil, ins...)
				y := e.Dense(out)
				if y.Dtype() != dt || !y.Shape().Eq(tensor.Shape(tc.shape)) || !out.Shape().Eq(tensor.Shape(tc.shape)) {
					t.Fatalf("output %v %v (node %v), want %v", y.Dtype(), y.Shape(), out.Shape(), tc.shape)
				}
				assertClose(t, "concat", toF64(y), tc.want, 0)
			})
		}
	}
}

// TestConcatGradByHand checks that each input gets its own slice of the upstream
// gradient.
func TestConcatGradByHand(t *testing.T) {
	a := dense64([]int{2, 1, 2}, 1, 2, 3, 4)
	b := dense64([]int{2, 2, 2}, 5, 6, 7, 8, 9, 10, 11, 12)
	up := dense64([]int{2, 3, 2}, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120)
	e, _, grads := execBuild(t, concatBuild(1), up, []int{0, 1}, a, b)
	assertClose(t, "da", toF64(e.Dense(grads[0])), []float64{10, 20, 70, 80}, 0)
	assertClose(t, "db", toF64(e.Dense(grads[1])), []float64{30, 40, 50, 60, 90, 100, 110, 120}, 0)
}

func TestConcatGradient(t *testing.T) {
	tests := []struct {
		name   string
		axis   int
		inputs []*tensor.Dense
	}{
		{"last_axis", -1, []*tensor.Dense{randTensor(60, -1, 1, 3, 2), randTensor(61, -1, 1, 3, 4)}},
		{"axis1_rank3", 1, []*tensor.Dense{randTensor(62, -1, 1, 2, 1, 3), randTensor(63, -1, 1, 2, 3, 3), randTensor(64, -1, 1, 2, 2, 3)}},
		{"axis-1_rank3", -1, []*tensor.Dense{randTensor(65, -1, 1, 2, 3, 1), randTensor(66, -1, 1, 2, 3, 2)}},
		{"batch_axis", 0, []*tensor.Dense{randTensor(67, -1, 1, 2, 3), randTensor(68, -1, 1, 1, 3)}},
		{"same_input_twice", 1, []*tensor.Dense{randTensor(69, -1, 1, 2, 3)}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			build := concatBuild(tc.axis)
			if tc.name == "same_input_twice" {
				build = func(g *Graph, in []*G.Node) (*G.Node, error) { return Concat(tc.axis, in[0], in[0]) }
			}
			checkGradLog(t, build, nil, tc.inputs...)
		})
	}
}

func TestConcatErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("a"))
	b := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 5, 4), G.WithName("b"))
	c := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 7), G.WithName("c"))
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("m"))
	f := G.NewTensor(g, tensor.Float32, 3, G.WithShape(2, 3, 4), G.WithName("f"))
	i := G.NewTensor(g, tensor.Int64, 3, G.WithShape(2, 3, 4), G.WithName("i"))
	tests := []struct {
		name string
		axis int
		xs   []*G.Node
		want []string
	}{
		{"mismatch", -1, []*G.Node{a, b, c}, []string{"(2, 3, 4)", "(2, 5, 4)", "(2, 3, 7)", "axis -1"}},
		{"rank", 1, []*G.Node{a, m}, []string{"(2, 3, 4)", "(2, 3)", "ranks"}},
		{"axis_too_big", 3, []*G.Node{a, a}, []string{"axis 3"}},
		{"axis_too_small", -4, []*G.Node{a}, []string{"axis -4"}},
		{"dtype", 1, []*G.Node{a, f}, []string{"dtypes"}},
		{"int", 1, []*G.Node{i, i}, []string{"int64 is not supported"}},
		{"none", 0, nil, []string{"no inputs"}},
	}
	for _, tc := range tests {
		_, err := Concat(tc.axis, tc.xs...)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %q", tc.name, err, w)
			}
		}
	}
}
