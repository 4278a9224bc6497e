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
// finite. The gradient flows to x, gamma and beta. Every value is computed in float64
// arithmetic element by element (float32 data is never copied whole), the rows split
// across cores when the tensor is large.
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
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch ys := out.Data().(type) {
	case []float32:
		err = lnForward(x.Data().([]float32), args[1].Data().([]float32), args[2].Data().([]float32), ys, c, o.eps)
	case []float64:
		err = lnForward(x.Data().([]float64), args[1].Data().([]float64), args[2].Data().([]float64), ys, c, o.eps)
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

// lnStatsT returns the mean and 1/sqrt(var + eps) of the row r, in float64.
func lnStatsT[T float32 | float64](r []T, eps float64) (mean, rstd float64) {
	for _, v := range r {
		mean += float64(v)
	}
	mean /= float64(len(r))
	var ss float64
	for _, v := range r {
		d := float64(v) - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(r))+eps)
}

// lnForward normalizes the rows of c features of xs into ys, in float64 arithmetic
// element by element (a float32 result is the float64 one rounded once), the rows
// split across cores when the tensor is large.
func lnForward[T float32 | float64](xs, gm, bt, ys []T, c int, eps float64) error {
	return parallelRows(len(xs)/c, c, func(_, lo, hi int) error {
		for r := lo * c; r < hi*c; r += c {
			row := xs[r : r+c]
			mean, rstd := lnStatsT(row, eps)
			for j, v := range row {
				ys[r+j] = T((float64(v)-mean)*rstd*float64(gm[j]) + float64(bt[j]))
			}
		}
		return nil
	})
}

// lnDx writes the gradient with respect to x into dx, one row at a time (float64
// scratch of one row per worker).
func lnDx[T float32 | float64](xs, gm, dy, dx []T, c int, eps float64) error {
	return parallelRows(len(xs)/c, c, func(_, lo, hi int) error {
		g, xhat := make([]float64, c), make([]float64, c)
		for r := lo * c; r < hi*c; r += c {
			mean, rstd := lnStatsT(xs[r:r+c], eps)
			var mg, mgx float64
			for j := 0; j < c; j++ {
				xhat[j] = (float64(xs[r+j]) - mean) * rstd
				g[j] = float64(dy[r+j]) * float64(gm[j])
				mg += g[j]
				mgx += g[j] * xhat[j]
			}
			mg /= float64(c)
			mgx /= float64(c)
			for j := 0; j < c; j++ {
				dx[r+j] = T(rstd * (g[j] - mg - xhat[j]*mgx))
			}
		}
		return nil
	})
}

// lnDgamma writes the sum over rows of dy·xhat into dg (c): each worker sums its
// rows in float64, and the partial sums are added in worker order (deterministic
// for a given number of cores).
func lnDgamma[T float32 | float64](xs, dy, dg []T, c int, eps float64) error {
	rows := len(xs) / c
	parts := make([][]float64, numWorkers(rows))
	err := parallelRows(rows, c, func(w, lo, hi int) error {
		acc := make([]float64, c)
		for r := lo * c; r < hi*c; r += c {
			mean, rstd := lnStatsT(xs[r:r+c], eps)
			for j := 0; j < c; j++ {
				acc[j] += float64(dy[r+j]) * (float64(xs[r+j]) - mean) * rstd
			}
		}
		parts[w] = acc
		return nil
	})
	if err != nil {
		return err
	}
	sum := make([]float64, c)
	for _, p := range parts {
		for j, v := range p {
			sum[j] += v
		}
	}
	for j, v := range sum {
		dg[j] = T(v)
	}
	return nil
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
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch dx := out.Data().(type) {
	case []float32:
		err = lnDx(x.Data().([]float32), args[1].Data().([]float32), args[2].Data().([]float32), dx, c, o.eps)
	case []float64:
		err = lnDx(x.Data().([]float64), args[1].Data().([]float64), args[2].Data().([]float64), dx, c, o.eps)
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
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
	out := outputLike(prealloc, x.Dtype(), tensor.Shape{c})
	switch dg := out.Data().(type) {
	case []float32:
		err = lnDgamma(x.Data().([]float32), args[1].Data().([]float32), dg, c, o.eps)
	case []float64:
		err = lnDgamma(x.Data().([]float64), args[1].Data().([]float64), dg, c, o.eps)
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}
