package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// standardizeOp maps x of shape (..., C) feature by feature with a mean and a
// variance of shape (C): (x - mean) / sqrt(variance), or with invert
// x·sqrt(variance) + mean. Only x is differentiable (the statistics are not
// trained); its gradient is scaleOp.
type standardizeOp struct {
	opBase
	dims   int
	invert bool
}

// scaleOp multiplies dy of shape (..., C) by 1/sqrt(variance) (or, with invert, by
// sqrt(variance)) feature by feature: the gradient of standardizeOp. It is not
// differentiable.
type scaleOp struct {
	opBase
	noDiff
	dims   int
	invert bool
}

// Standardize returns (x - mean) / sqrt(variance) over the last axis of x, or with
// invert x·sqrt(variance) + mean (its inverse): x of shape (..., C) (float32 or
// float64), mean and variance of shape (C) and x's dtype. The result has x's shape.
// The gradient flows to x only: mean and variance are statistics, not trained. A
// variance that is not positive and finite makes the run fail naming the feature.
func Standardize(x, mean, variance *G.Node, invert bool) (n *G.Node, err error) {
	defer recoverOp(&err, "standardize")
	xs := x.Shape()
	for _, s := range []*G.Node{mean, variance} {
		if ss := s.Shape(); ss.Dims() != 1 || xs.Dims() < 1 || xs[xs.Dims()-1] != ss[0] {
			return nil, errors.Errorf("standardize: statistics shape %v does not fit input shape %v (want the last axis)", ss, xs)
		}
	}
	if err := checkFloat("standardize", x.Dtype()); err != nil {
		return nil, err
	}
	op := standardizeOp{opBase{name: fmt.Sprintf("standardize%d_%v", xs.Dims(), invert), arity: 3}, xs.Dims(), invert}
	n, err = G.ApplyOp(op, x, mean, variance)
	return n, errors.Wrap(err, "standardize")
}

func (o standardizeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(x, v, v, x)
}
func (o standardizeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o standardizeOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o standardizeOp) DiffWRT(n int) []bool                              { return []bool{true, false, false} }

func (o standardizeOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := scaleOp{opBase{name: fmt.Sprintf("std_scale%d_%v", o.dims, o.invert), arity: 2}, noDiff{}, o.dims, o.invert}
	dx, err := G.ApplyOp(op, grad, inputs[2])
	if err != nil {
		return nil, errors.Wrap(err, "gradient of standardize")
	}
	return G.Nodes{dx, nil, nil}, nil
}

func (o standardizeOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 3, in)
	if err != nil {
		return nil, err
	}
	x, m, v := args[0], args[1], args[2]
	sub, scale, add, err := stdCoefficients(o.name, x, m, v, o.invert)
	if err != nil {
		return nil, err
	}
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	affineRows(out, x, sub, scale, add)
	return out, nil
}

func (o scaleOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	return hm.NewFnType(x, G.TensorType{Dims: 1, Of: a}, x)
}
func (o scaleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o scaleOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o scaleOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	dy, v := args[0], args[1]
	_, scale, _, err := stdCoefficients(o.name, dy, nil, v, o.invert)
	if err != nil {
		return nil, err
	}
	zero := make([]float64, len(scale))
	out := outputLike(prealloc, dy.Dtype(), dy.Shape())
	affineRows(out, dy, zero, scale, zero)
	return out, nil
}

// stdCoefficients returns, per feature, the terms of the map y = (x - sub)·scale +
// add that standardizes (sub = mean, scale = 1/sd, add = 0) or with invert
// un-standardizes (sub = 0, scale = sd, add = mean) with mean m and variance v,
// checking dtypes and sizes. A nil m is a zero mean. Subtracting before scaling
// keeps float32 precision for features far from zero (a year: mean 2000, sd 10).
func stdCoefficients(name string, x, m, v *tensor.Dense, invert bool) (sub, scale, add []float64, err error) {
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, nil, nil, errors.Errorf("%s: input of shape %v has no feature axis", name, s)
	}
	c := s[s.Dims()-1]
	vs, err := floatValues(name+": variance", v, x.Dtype(), c)
	if err != nil {
		return nil, nil, nil, err
	}
	ms := make([]float64, c)
	if m != nil {
		if ms, err = floatValues(name+": mean", m, x.Dtype(), c); err != nil {
			return nil, nil, nil, err
		}
	}
	sub, scale, add = make([]float64, c), make([]float64, c), make([]float64, c)
	for j := range vs {
		if !(vs[j] > 0) || math.IsInf(vs[j], 0) || math.IsNaN(ms[j]) || math.IsInf(ms[j], 0) {
			return nil, nil, nil, errors.Errorf("%s: feature %d has mean %g and variance %g (want a finite mean and a positive finite variance)", name, j, ms[j], vs[j])
		}
		sd := math.Sqrt(vs[j])
		if invert {
			scale[j], add[j] = sd, ms[j]
		} else {
			sub[j], scale[j] = ms[j], 1/sd
		}
	}
	return sub, scale, add, nil
}

// floatValues returns the c values of t (of dtype dt) as float64.
func floatValues(name string, t *tensor.Dense, dt tensor.Dtype, c int) ([]float64, error) {
	if t.Dtype() != dt || t.Shape().TotalSize() != c {
		return nil, errors.Errorf("%s: %v %v does not fit %d features of %v", name, t.Dtype(), t.Shape(), c, dt)
	}
	out := make([]float64, c)
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d[:c] {
			out[i] = float64(v)
		}
	case []float64:
		copy(out, d[:c])
	default:
		return nil, checkFloat(name, t.Dtype())
	}
	return out, nil
}

// affineRows writes (x - sub)·scale + add, feature by feature over the last axis,
// into out (of x's shape and dtype, float32 or float64).
func affineRows(out, x *tensor.Dense, sub, scale, add []float64) {
	c := len(scale)
	switch xs := x.Data().(type) {
	case []float32:
		ys := out.Data().([]float32)
		su, sc, ad := make([]float32, c), make([]float32, c), make([]float32, c)
		for j := range sc {
			su[j], sc[j], ad[j] = float32(sub[j]), float32(scale[j]), float32(add[j])
		}
		for r := 0; r+c <= len(ys); r += c {
			xr, yr := xs[r:r+c], ys[r:r+c]
			for j := range yr {
				yr[j] = (xr[j]-su[j])*sc[j] + ad[j]
			}
		}
	case []float64:
		ys := out.Data().([]float64)
		for r := 0; r+c <= len(ys); r += c {
			xr, yr := xs[r:r+c], ys[r:r+c]
			for j := range yr {
				yr[j] = (xr[j]-sub[j])*scale[j] + add[j]
			}
		}
	}
}
