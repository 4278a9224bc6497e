package graph

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func maximumBuild(g *Graph, in []*G.Node) (*G.Node, error) { return Maximum(in[0], in[1]) }
func minimumBuild(g *Graph, in []*G.Node) (*G.Node, error) { return Minimum(in[0], in[1]) }

// TestMinMaxForwardAndTies checks values and the gradients by hand, ties included:
// a tie sends half of the upstream gradient to each input.
func TestMinMaxForwardAndTies(t *testing.T) {
	a := []float64{1, -2, 3, 0.5, -1, 4}
	b := []float64{2, -2, 1, 0.5, -3, 4}
	up := []float64{1, 2, 3, 4, 5, 6}
	tests := []struct {
		name      string
		build     BuildFunc
		y, da, db []float64
	}{
		{"maximum", maximumBuild, []float64{2, -2, 3, 0.5, -1, 4}, []float64{0, 1, 3, 2, 5, 3}, []float64{1, 1, 0, 2, 0, 3}},
		{"minimum", minimumBuild, []float64{1, -2, 1, 0.5, -3, 4}, []float64{1, 1, 0, 2, 0, 3}, []float64{0, 1, 3, 2, 5, 3}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s_%v", tc.name, dt), func(t *testing.T) {
				ins := []*tensor.Dense{
					tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float64(nil), a...))),
					tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float64(nil), b...))),
					tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float64(nil), up...))),
				}
				if dt == tensor.Float32 {
					for i := range ins {
						ins[i] = asF32(ins[i])
					}
				}
				e, out, grads := execBuild(t, tc.build, ins[2], []int{0, 1}, ins[0], ins[1])
				if y := e.Dense(out); y.Dtype() != dt || !y.Shape().Eq(tensor.Shape{2, 3}) {
					t.Fatalf("output %v %v", y.Dtype(), y.Shape())
				}
				assertClose(t, "y", toF64(e.Dense(out)), tc.y, 0)
				assertClose(t, "da", toF64(e.Dense(grads[0])), tc.da, 0)
				assertClose(t, "db", toF64(e.Dense(grads[1])), tc.db, 0)
			})
		}
	}
}

func TestMinMaxNaN(t *testing.T) {
	nan := math.NaN()
	for _, build := range []BuildFunc{maximumBuild, minimumBuild} {
		a := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{nan, 1, 2}))
		b := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, nan, 3}))
		got, _ := runBuild(t, Train, build, a, b)
		if !math.IsNaN(got[0]) || !math.IsNaN(got[1]) || math.IsNaN(got[2]) {
			t.Errorf("got %v, want NaN where an input is NaN", got)
		}
	}
}

func TestMinMaxGradient(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build BuildFunc
	}{{"maximum", maximumBuild}, {"minimum", minimumBuild}} {
		t.Run(tc.name, func(t *testing.T) {
			// independent random inputs: each wins about half the elements; no pair
			// is close enough to a tie for a finite-difference step to cross it
			a, b := randTensor(50, -1, 1, 4, 5), randTensor(51, -1, 1, 4, 5)
			ad, bd := a.Data().([]float64), b.Data().([]float64)
			for i := range ad {
				if math.Abs(ad[i]-bd[i]) < 1e-3 {
					bd[i] += 0.1
				}
			}
			checkGradLog(t, tc.build, nil, a, b)
		})
	}
}

func TestMinMaxErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 2), G.WithName("b"))
	c := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("c"))
	i := G.NewMatrix(g, tensor.Int64, G.WithShape(2, 3), G.WithName("i"))
	j := G.NewMatrix(g, tensor.Int64, G.WithShape(2, 3), G.WithName("j"))
	for _, f := range []func(a, b *G.Node) (*G.Node, error){Maximum, Minimum} {
		if _, err := f(a, b); err == nil || !strings.Contains(err.Error(), "(2, 3)") || !strings.Contains(err.Error(), "(3, 2)") {
			t.Errorf("shape mismatch: error %v, want both shapes named", err)
		}
		if _, err := f(a, c); err == nil || !strings.Contains(err.Error(), "dtypes") {
			t.Errorf("dtype mismatch: error %v", err)
		}
		if _, err := f(i, j); err == nil || !strings.Contains(err.Error(), "int64 is not supported") {
			t.Errorf("int inputs: error %v", err)
		}
	}
}
