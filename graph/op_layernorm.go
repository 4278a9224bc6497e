package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layerNormOp normalizes x of shape (..., C) over its last axis, row by row, and
// scales and shifts the result feature by feature: y = (x - mean)/sqrt(var + eps)
// ·gamma + beta, with the biased (divisor C) variance of each row, as Keras'
// LayerNormalization and PyTorch's nn.LayerNorm. Its gradients are
// layerNormDxOp (x), layerNormDgammaOp (gamma) and colSumOp (beta).
type layerNormOp struct {
	opBase
	dims int
	eps  float64
}

// layerNormDxOp computes the gradient with respect to x from (x, gamma, dy).
type layerNormDxOp struct {
	opBase
	noDiff
	dims int
	eps  float64
}

// layerNormDgammaOp computes the gradient with respect to gamma from (x, dy): the
// sum over rows of dy·xhat. It has shape (C).
type layerNormDgammaOp struct {
	opBase
	noDiff
	dims int
	eps  float64
}

// LayerNorm returns (x - mean)/sqrt(variance + eps)·gamma + beta, the mean and the
// biased variance taken over the last axis of each row of x (shape (..., C), float32
// or float64); gamma and beta have shape (C) and x's dtype. eps must be positive and
// finite. The gradient flows to x, gamma and beta (computed in float64 per row).
func LayerNorm(x, gamma, beta *G.Node, eps float64) (n *G.Node, err error) {
	defer recoverOp(&err, "layer norm")
	xs := x.Shape()
	for _, p := range []*G.Node{gamma, beta} {
		if ps := p.Shape(); ps.Dims() != 1 || xs.Dims() < 1 || xs[xs.Dims()-1] != ps[0] {
			return nil, errors.Errorf("layer norm: gamma/beta shape %v does not fit input shape %v (want the last axis)", ps, xs)
		}
		if p.Dtype() != x.Dtype() {
			return nil, errors.Errorf("layer norm: dtypes differ (%v and %v)", x.Dtype(), p.Dtype())
		}
	}
	if err := checkFloat("layer norm", x.Dtype()); err != nil {
		return nil, err
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("layer norm: epsilon %g must be positive and finite", eps)
	}
	op := layerNormOp{opBase{name: fmt.Sprintf("layer_norm%d(%g)", xs.Dims(), eps), arity: 3}, xs.Dims(), eps}
	n, err = G.ApplyOp(op, x, gamma, beta)
	return n, errors.Wrap(err, "layer norm")
}

func (o layerNormOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(x, v, v, x)
}
func (o layerNormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o layerNormOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o layerNormOp) DiffWRT(n int) []bool                              { return []bool{true, true, true} }

func (o layerNormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, gamma := inputs[0], inputs[1]
	dx, err := G.ApplyOp(layerNormDxOp{opBase{name: fmt.Sprintf("layer_norm_dx%d(%g)", o.dims, o.eps), arity: 3}, noDiff{}, o.dims, o.eps}, x, gamma, grad)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of layer norm")
	}
	dg, err := G.ApplyOp(layerNormDgammaOp{opBase{name: fmt.Sprintf("layer_norm_dgamma%d(%g)", o.dims, o.eps), arity: 2}, noDiff{}, o.dims, o.eps}, x, grad)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of layer norm")
	}
	db, err := G.ApplyOp(colSumOp{opBase{name: fmt.Sprintf("col_sum%d", o.dims), arity: 1}, noDiff{}, o.dims}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of layer norm")
	}
	return G.Nodes{dx, dg, db}, nil
}

// lnRows checks that every tensor of ts has x's dtype and that vectors (C) and
// tensors (..., C) fit, and returns C.
func lnRows(name string, x *tensor.Dense, ts ...*tensor.Dense) (int, error) {
	s := x.Shape()
	if s.Dims() < 1 || s[s.Dims()-1] == 0 {
		return 0, errors.Errorf("%s: input of shape %v has no feature axis", name, s)
	}
	c := s[s.Dims()-1]
	for _, t := range ts {
		if t.Dtype() != x.Dtype() {
			return 0, errors.Errorf("%s: dtypes differ (%v and %v)", name, x.Dtype(), t.Dtype())
		}
		if n := t.Shape().TotalSize(); n != c && n != s.TotalSize() {
			return 0, errors.Errorf("%s: shape %v does not fit input shape %v", name, t.Shape(), s)
		}
	}
	return c, checkFloat(name, x.Dtype())
}

// f64s returns the data of a float32 or float64 tensor widened to float64.
func f64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// store writes v into out (float32 or float64).
func store(out *tensor.Dense, v []float64) {
	switch d := out.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	}
}

// lnStats returns the mean and 1/sqrt(var + eps) of the row r.
func lnStats(r []float64, eps float64) (mean, rstd float64) {
	for _, v := range r {
		mean += v
	}
	mean /= float64(len(r))
	var ss float64
	for _, v := range r {
		d := v - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(r))+eps)
}

func (o layerNormOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 3, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	c, err := lnRows(o.name, x, args[1], args[2])
	if err != nil {
		return nil, err
	}
	xs, gm, bt := f64s(x), f64s(args[1]), f64s(args[2])
	ys := make([]float64, len(xs))
	for r := 0; r < len(xs); r += c {
		row := xs[r : r+c]
		mean, rstd := lnStats(row, o.eps)
		for j, v := range row {
			ys[r+j] = (v-mean)*rstd*gm[j] + bt[j]
		}
	}
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	store(out, ys)
	return out, nil
}

func (o layerNormDxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	return hm.NewFnType(x, G.TensorType{Dims: 1, Of: a}, x, x)
}
func (o layerNormDxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o layerNormDxOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

// UsePreallocDo: with g = dy·gamma and xhat the normalized row, dx = rstd·(g -
// mean(g) - xhat·mean(g·xhat)).
func (o layerNormDxOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 3, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	c, err := lnRows(o.name, x, args[1], args[2])
	if err != nil {
		return nil, err
	}
	if args[2].Shape().TotalSize() != x.Shape().TotalSize() {
		return nil, errors.Errorf("%s: gradient shape %v differs from input shape %v", o.name, args[2].Shape(), x.Shape())
	}
	xs, gm, dy := f64s(x), f64s(args[1]), f64s(args[2])
	dx := make([]float64, len(xs))
	g, xhat := make([]float64, c), make([]float64, c)
	for r := 0; r < len(xs); r += c {
		mean, rstd := lnStats(xs[r:r+c], o.eps)
		var mg, mgx float64
		for j := 0; j < c; j++ {
			xhat[j] = (xs[r+j] - mean) * rstd
			g[j] = dy[r+j] * gm[j]
			mg += g[j]
			mgx += g[j] * xhat[j]
		}
		mg /= float64(c)
		mgx /= float64(c)
		for j := 0; j < c; j++ {
			dx[r+j] = rstd * (g[j] - mg - xhat[j]*mgx)
		}
	}
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	store(out, dx)
	return out, nil
}

func (o layerNormDgammaOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	return hm.NewFnType(x, x, G.TensorType{Dims: 1, Of: a})
}

func (o layerNormDgammaOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[s.Dims()-1]}, nil
}

func (o layerNormDgammaOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o layerNormDgammaOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	c, err := lnRows(o.name, x, args[1])
	if err != nil {
		return nil, err
	}
	if args[1].Shape().TotalSize() != x.Shape().TotalSize() {
		return nil, errors.Errorf("%s: gradient shape %v differs from input shape %v", o.name, args[1].Shape(), x.Shape())
	}
	xs, dy := f64s(x), f64s(args[1])
	dg := make([]float64, c)
	for r := 0; r < len(xs); r += c {
		mean, rstd := lnStats(xs[r:r+c], o.eps)
		for j := 0; j < c; j++ {
			dg[j] += dy[r+j] * (xs[r+j] - mean) * rstd
		}
	}
	out := outputLike(prealloc, x.Dtype(), tensor.Shape{c})
	store(out, dg)
	return out, nil
}
