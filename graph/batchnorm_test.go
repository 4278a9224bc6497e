package graph

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnParams are gamma, beta, moving mean and moving variance for c channels, with
// values away from the defaults so that every term is exercised.
func bnParams(dt tensor.Dtype, c int) []*Param {
	rng := rand.New(rand.NewSource(9))
	names := []string{"gamma", "beta", "moving_mean", "moving_variance"}
	inits := []Initializer{RandomUniform{0.5, 1.5}, RandomUniform{-0.5, 0.5}, RandomUniform{-0.3, 0.3}, RandomUniform{0.5, 2}}
	ps := make([]*Param, 4)
	for i := range ps {
		ps[i], _ = NewParam("bn/"+names[i], dt, []int{c}, inits[i], 1, 1, rng)
		ps[i].Trainable = i < 2
	}
	return ps
}

// bnBuild builds batch norm in mode m over in[0] with the params ps.
func bnBuild(m Mode, ps []*Param, spec BatchNormSpec) BuildFunc {
	return func(g *Graph, in []*G.Node) (*G.Node, error) {
		nodes := make([]*G.Node, 4)
		for i, p := range ps {
			var err error
			if nodes[i], err = g.Param(p); err != nil {
				return nil, err
			}
		}
		return batchNorm(m, in[0], nodes[0], nodes[1], nodes[2], nodes[3], spec)
	}
}

// wantBN computes batch norm of x (rows, c) naively: output, and the moving
// statistics after one training step.
func wantBN(train bool, x []float64, c int, p [][]float64, spec BatchNormSpec) (y, mm, mv []float64) {
	rows := len(x) / c
	y, mm, mv = make([]float64, len(x)), append([]float64(nil), p[2]...), append([]float64(nil), p[3]...)
	for ch := 0; ch < c; ch++ {
		mean, variance := p[2][ch], p[3][ch]
		if train {
			mean, variance = 0, 0
			for r := 0; r < rows; r++ {
				mean += x[r*c+ch] / float64(rows)
			}
			for r := 0; r < rows; r++ {
				variance += (x[r*c+ch] - mean) * (x[r*c+ch] - mean) / float64(rows)
			}
			unbiased := variance
			if rows > 1 {
				unbiased = variance * float64(rows) / float64(rows-1)
			}
			mm[ch] = spec.Momentum*mm[ch] + (1-spec.Momentum)*mean
			mv[ch] = spec.Momentum*mv[ch] + (1-spec.Momentum)*unbiased
		}
		for r := 0; r < rows; r++ {
			y[r*c+ch] = p[0][ch]*(x[r*c+ch]-mean)/math.Sqrt(variance+spec.Epsilon) + p[1][ch]
		}
	}
	return y, mm, mv
}

func TestBatchNormForward(t *testing.T) {
	spec := BatchNormSpec{Momentum: 0.9, Epsilon: 1e-3}
	for _, shape := range [][]int{{5, 3}, {3, 4, 5, 2}, {1, 3}, {1, 2, 2, 3}} {
		for _, m := range []Mode{Train, Infer} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				c := shape[len(shape)-1]
				ps := bnParams(dt, c)
				before := make([][]float64, 4)
				for i, p := range ps {
					before[i] = p.Float64s()
				}
				x := randTensor(800, -2, 3, shape...)
				y, mm, mv := wantBN(m == Train, toF64(x), c, before, spec)
				in, tol := x, 1e-12
				if dt == tensor.Float32 {
					in, tol = asF32(x), 1e-5
				}
				got, _ := runBuild(t, m, bnBuild(m, ps, spec), in)
				what := m.String() + " " + dt.String() + " " + fmt.Sprint(shape)
				assertClose(t, what+" output", got, y, tol)
				assertClose(t, what+" moving mean", ps[2].Float64s(), mm, tol)
				assertClose(t, what+" moving variance", ps[3].Float64s(), mv, tol)
			}
		}
	}
}

func TestBatchNormGradient(t *testing.T) {
	spec := BatchNormSpec{Momentum: 0.99, Epsilon: 1e-3}
	for _, shape := range [][]int{{6, 3}, {2, 3, 3, 2}} {
		for _, m := range []Mode{Train, Infer} {
			t.Run(m.String()+fmt.Sprint(shape), func(t *testing.T) {
				ps := bnParams(tensor.Float64, shape[len(shape)-1])
				checkGradLog(t, bnBuild(m, ps, spec), ps[:2], randTensor(900, -2, 2, shape...))
			})
		}
	}
	// Two batch norms in a row: the second one's input gradient flows into the first.
	ps1, ps2 := bnParams(tensor.Float64, 3), bnParams(tensor.Float64, 3)
	for i := range ps2 {
		ps2[i].Name += "_2"
	}
	chain := func(g *Graph, in []*G.Node) (*G.Node, error) {
		h, err := bnBuild(Train, ps1, spec)(g, in)
		if err != nil {
			return nil, err
		}
		if h, err = Tanh(h); err != nil {
			return nil, err
		}
		return bnBuild(Train, ps2, spec)(g, []*G.Node{h})
	}
	checkGradLog(t, chain, append(ps1[:2:2], ps2[:2]...), randTensor(901, -2, 2, 5, 3))
}

func TestBatchNormErrors(t *testing.T) {
	g, _ := New(Train, tensor.Float64, 4)
	x, _, _ := g.Input("x", 3)
	vec := func(name string, n int) *G.Node {
		return G.NewVector(g.ExprGraph(), tensor.Float64, G.WithShape(n), G.WithName(name))
	}
	ok, bad := vec("ok", 3), vec("bad", 2)
	tests := []struct {
		name   string
		gamma  *G.Node
		spec   BatchNormSpec
		substr string
	}{
		{"gamma of 2 channels", bad, BatchNormSpec{0.99, 1e-3}, "gamma has shape (2), want (3)"},
		{"momentum above 1", ok, BatchNormSpec{1.5, 1e-3}, "momentum 1.5"},
		{"zero epsilon", ok, BatchNormSpec{0.99, 0}, "epsilon 0"},
	}
	for _, tc := range tests {
		if _, err := g.BatchNorm(x, tc.gamma, ok, ok, ok, tc.spec); err == nil || !strings.Contains(err.Error(), tc.substr) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.substr)
		}
	}
}
