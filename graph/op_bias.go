package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// biasOp adds a bias of shape (C) to x of shape (..., C), broadcasting over every
// axis but the last. It is faster than Gorgonia's broadcasting, which materializes
// the repeated bias.
type biasOp struct {
	opBase
	dims int
}

// colSumOp sums a tensor of shape (..., C) over every axis but the last: the
// gradient of a bias. It is not differentiable.
type colSumOp struct {
	opBase
	noDiff
	dims int
}

// AddBias returns x + b, x of shape (..., C) and b of shape (C).
func AddBias(x, b *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "add bias")
	xs, bs := x.Shape(), b.Shape()
	if bs.Dims() != 1 || xs.Dims() < 1 || xs[xs.Dims()-1] != bs[0] {
		return nil, errors.Errorf("add bias: bias shape %v does not fit input shape %v (want the last axis)", bs, xs)
	}
	op := biasOp{opBase{name: fmt.Sprintf("add_bias%d", xs.Dims()), arity: 2}, xs.Dims()}
	n, err = G.ApplyOp(op, x, b)
	return n, errors.Wrap(err, "add bias")
}

func (o biasOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	return hm.NewFnType(x, G.TensorType{Dims: 1, Of: a}, x)
}
func (o biasOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o biasOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o biasOp) DiffWRT(n int) []bool                              { return []bool{true, true} }

func (o biasOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dims := inputs[0].Shape().Dims()
	db, err := G.ApplyOp(colSumOp{opBase{name: fmt.Sprintf("col_sum%d", dims), arity: 1}, noDiff{}, dims}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "gradient of add_bias")
	}
	return G.Nodes{grad, db}, nil
}

func (o biasOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x, b := args[0], args[1]
	c := b.Shape().TotalSize()
	if x.Dtype() != b.Dtype() || c == 0 || x.Shape().TotalSize()%c != 0 {
		return nil, errors.Errorf("add_bias: input %v %v and bias %v %v do not fit", x.Dtype(), x.Shape(), b.Dtype(), b.Shape())
	}
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		err = addBias(xs, b.Data().([]float32), out.Data().([]float32))
	case []float64:
		err = addBias(xs, b.Data().([]float64), out.Data().([]float64))
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

// addBias writes x + bias, the bias (c) repeated along every row of x (rows·c),
// into y; the rows split over the cores when x is large (element-wise: the
// result does not depend on the split).
func addBias[T float](x, bias, y []T) error {
	c := len(bias)
	return parallelRows(len(x)/c, c, func(_, lo, hi int) error {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			for i, v := range bias {
				yr[i] = xr[i] + v
			}
		}
		return nil
	})
}

func (o colSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: a}, G.TensorType{Dims: 1, Of: a})
}

func (o colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[s.Dims()-1]}, nil
}

func (o colSumOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o colSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	s := x.Shape()
	c := s[s.Dims()-1]
	out := outputLike(prealloc, x.Dtype(), tensor.Shape{c})
	switch xs := x.Data().(type) {
	case []float32:
		ys := out.Data().([]float32)
		for i := range ys {
			ys[i] = 0
		}
		for r := 0; r < len(xs); r += c {
			for i, v := range xs[r : r+c] {
				ys[i] += v
			}
		}
	case []float64:
		ys := out.Data().([]float64)
		for i := range ys {
			ys[i] = 0
		}
		for r := 0; r < len(xs); r += c {
			for i, v := range xs[r : r+c] {
				ys[i] += v
			}
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}
