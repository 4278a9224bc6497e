package layers_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// harnessGradient: the gradient of sum(y ⊙ R) (plus the regularization penalties)
// with respect to every float input and every trainable weight matches central
// finite differences, in float64. Dropout keeps the fixed mask CheckGradientParams
// draws; batch normalization runs in train mode (batch statistics); integer ids are
// fixed and the table's gradient is checked.
func harnessGradient(t *testing.T, c harnessCase, seed int64) {
	if c.outInt {
		t.Skip("the output is integer ids: nothing to differentiate")
	}
	m, _ := harnessBuilt(t, c, seed, tensor.Float64, false)
	harnessPerturb(m.Params(), seed)
	const batch = 3
	data := harnessData(c, batch, seed+17, tensor.Float64)
	var floats []*tensor.Dense
	for i, in := range c.inputs {
		if !in.fixed() {
			floats = append(floats, data[i])
		}
	}
	anchor := len(floats) == 0
	if anchor {
		// Only ids: CheckGradientParams needs a float input for the batch size;
		// this one enters the output as 0·anchor, so its gradient is 0.
		floats = []*tensor.Dense{harnessFloats(rand.New(rand.NewSource(seed)), tensor.Float64, append([]int{batch}, c.out...))}
	}
	build := func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
		xs := make([]*G.Node, len(c.inputs))
		k := 0
		for i, hi := range c.inputs {
			if !hi.fixed() {
				xs[i] = in[k]
				k++
				continue
			}
			n, v, err := g.InputOf(fmt.Sprintf("ids_%d", i), data[i].Dtype(), hi.shape...)
			if err != nil {
				return nil, err
			}
			copyFixed(v, data[i])
			xs[i] = n
		}
		outs, err := m.ForwardMulti(g, xs)
		if err != nil {
			return nil, err
		}
		y := outs[0]
		if anchor {
			z, err := G.Mul(in[0], g.Scalar(0))
			if err != nil {
				return nil, err
			}
			if y, err = G.Add(y, z); err != nil {
				return nil, err
			}
		}
		pens, err := g.WeightPenalties()
		if err != nil || len(pens) == 0 {
			return y, err
		}
		// Reduce y ourselves so that the penalties join the checked scalar.
		r := harnessFloats(rand.New(rand.NewSource(seed+19)), tensor.Float64, y.Shape().Clone())
		rn := G.NewTensor(g.ExprGraph(), tensor.Float64, r.Dims(), G.WithShape(r.Shape().Clone()...), G.WithValue(r), G.WithName("harness_r"))
		prod, err := G.HadamardProd(y, rn)
		if err != nil {
			return nil, err
		}
		cost, err := graph.SumAll(prod)
		for _, p := range pens {
			if err != nil {
				return nil, err
			}
			cost, err = G.Add(cost, p)
		}
		return cost, err
	}
	var params []*graph.Param
	for _, p := range m.Params() {
		if p.Trainable {
			params = append(params, p)
		}
	}
	res, err := graph.CheckGradientParams(build, floats, params, 1e-6)
	if err != nil {
		t.Fatalf("gradient check: %v", err)
	}
	tol := c.gradTol
	if tol == 0 {
		tol = 1e-6
	}
	if res.MaxRelErr > tol || math.IsNaN(res.MaxRelErr) {
		what := "weight"
		idx := res.Input - len(floats)
		name := ""
		if idx >= 0 && idx < len(params) {
			name = params[idx].Name
		} else {
			what, name = "input", fmt.Sprint(res.Input)
		}
		t.Errorf("gradient of %s %s: %v", what, name, res)
	}
	t.Logf("%d inputs, %d weights: %v", len(floats), len(params), res)
}

// copyFixed copies the values of an ids or strings tensor into dst (same dtype).
func copyFixed(dst, src *tensor.Dense) {
	switch d := dst.Data().(type) {
	case []int64:
		copy(d, src.Data().([]int64))
	case []string:
		copy(d, src.Data().([]string))
	}
}
