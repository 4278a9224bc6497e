package graph

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BuildFunc builds an expression from input nodes, for CheckGradient.
type BuildFunc func(g *Graph, inputs []*G.Node) (*G.Node, error)

// GradCheck is the result of CheckGradient: the worst element found.
type GradCheck struct {
	// MaxRelErr is the largest |analytic - numeric| / max(1, |analytic|, |numeric|).
	MaxRelErr float64
	// Input and Index locate the worst element; Analytic and Numeric are its values.
	Input, Index      int
	Analytic, Numeric float64
}

// String describes the worst element.
func (c GradCheck) String() string {
	return fmt.Sprintf("max relative error %.3g at input %d element %d (analytic %.10g, numeric %.10g)",
		c.MaxRelErr, c.Input, c.Index, c.Analytic, c.Numeric)
}

// CheckGradient compares the symbolic gradient of the expression built by build
// with central finite differences (step eps, 1e-6 is a good value) in float64. The
// inputs must be float64 tensors; they are left unchanged. A non-scalar output y is
// reduced to sum(y ⊙ R) with a fixed random R, which checks the whole Jacobian
// against one random direction per output. The graph is built in Train mode with a
// batch size equal to the first dimension of the first input; random feeds (dropout
// masks) are drawn once from a fixed seed and kept for every evaluation.
func CheckGradient(build BuildFunc, inputs []*tensor.Dense, eps float64) (GradCheck, error) {
	return CheckGradientParams(build, inputs, nil, eps)
}

// CheckGradientParams is CheckGradient that also checks the gradient with respect
// to params: float64 parameters that build binds with Graph.Param (a layer's
// weights). Their values are perturbed in place and restored. Params are numbered
// after the inputs in the result.
func CheckGradientParams(build BuildFunc, inputs []*tensor.Dense, params []*Param, eps float64) (GradCheck, error) {
	var res GradCheck
	if len(inputs) == 0 {
		return res, errors.New("gradient check: no inputs")
	}
	batch := 1
	if inputs[0].Dims() > 0 {
		batch = inputs[0].Shape()[0]
	}
	g, err := New(Train, tensor.Float64, batch)
	if err != nil {
		return res, err
	}
	nodes := make([]*G.Node, len(inputs))
	vals := make([]*tensor.Dense, len(inputs))
	for i, in := range inputs {
		if in.Dtype() != tensor.Float64 {
			return res, errors.Errorf("gradient check: input %d is %v, want float64", i, in.Dtype())
		}
		vals[i] = in.Clone().(*tensor.Dense)
		if nodes[i], err = g.bind(fmt.Sprintf("input_%d", i), vals[i]); err != nil {
			return res, err
		}
	}
	out, err := build(g, nodes)
	if err != nil {
		return res, errors.Wrap(err, "gradient check: build")
	}
	cost := out
	if !out.IsScalar() {
		r := tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.WithBacking(randomWeights(out.Shape().TotalSize())))
		rn, err := g.bind("gradcheck_weights", r)
		if err != nil {
			return res, err
		}
		prod, err := G.HadamardProd(out, rn)
		if err != nil {
			return res, errors.Wrap(err, "gradient check: weight output")
		}
		if cost, err = SumAll(prod); err != nil {
			return res, err
		}
	}
	for i, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			return res, errors.Errorf("gradient check: param %d (%s) is not used by the expression", i, p.Name)
		}
		if p.Value.Dtype() != tensor.Float64 {
			return res, errors.Errorf("gradient check: param %s is %v, want float64", p.Name, p.Value.Dtype())
		}
		nodes = append(nodes, n)
		vals = append(vals, p.Value)
	}
	grads, err := G.Grad(cost, nodes...)
	if err != nil {
		return res, errors.Wrap(err, "gradient check: symbolic gradient")
	}
	g.FillFeeds(rand.New(rand.NewSource(1)))
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	run := func() (float64, error) {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, errors.Wrap(err, "gradient check: run")
		}
		return scalarValue(cost.Value())
	}
	if _, err := run(); err != nil {
		return res, err
	}
	analytic := make([][]float64, len(nodes))
	for i, gn := range grads {
		gv, ok := gn.Value().(*tensor.Dense)
		if !ok {
			return res, errors.Errorf("gradient check: gradient %d has no tensor value", i)
		}
		analytic[i] = append([]float64(nil), gv.Data().([]float64)...)
	}
	for i, v := range vals {
		data := v.Data().([]float64)
		for j := range data {
			orig := data[j]
			data[j] = orig + eps
			up, err := run()
			if err != nil {
				return res, err
			}
			data[j] = orig - eps
			down, err := run()
			if err != nil {
				return res, err
			}
			data[j] = orig
			num := (up - down) / (2 * eps)
			a := analytic[i][j]
			rel := math.Abs(a-num) / math.Max(1, math.Max(math.Abs(a), math.Abs(num)))
			if rel > res.MaxRelErr || math.IsNaN(rel) {
				res = GradCheck{MaxRelErr: rel, Input: i, Index: j, Analytic: a, Numeric: num}
				if math.IsNaN(rel) {
					return res, nil
				}
			}
		}
	}
	return res, nil
}

func randomWeights(n int) []float64 {
	rng := rand.New(rand.NewSource(7))
	w := make([]float64, n)
	for i := range w {
		w[i] = rng.Float64()*2 - 1
	}
	return w
}

func scalarValue(v G.Value) (float64, error) {
	switch x := v.(type) {
	case *G.F64:
		return float64(*x), nil
	case *G.F32:
		return float64(*x), nil
	case *tensor.Dense:
		if x.Shape().TotalSize() == 1 {
			switch d := x.Data().(type) {
			case []float64:
				return d[0], nil
			case []float32:
				return float64(d[0]), nil
			case float64:
				return d, nil
			case float32:
				return float64(d), nil
			}
		}
	}
	return 0, errors.Errorf("value %v (%T) is not a scalar", v, v)
}

// ScalarValue returns the float64 value of a scalar node value (F32, F64 or a
// one-element tensor).
func ScalarValue(v G.Value) (float64, error) { return scalarValue(v) }
