package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemFunc is an element-wise function and its derivative, both in float64; float32
// data is widened element by element, computed and rounded once, so a float32 result
// is the correctly rounded value of the float64 one, except for the functions that
// elem32 gives a faster float32 form (accurate to float32 precision).
type elemFunc struct {
	name string
	f    func(x float64) float64
	df   func(x float64) float64
}

// fast returns the typed loops of fn (op_relu.go), or nil.
func (fn elemFunc) fast() *elemKernels { return elemFast[fn.name] }

// elem32 holds, by name, faster forms of elemFuncs for float32 data: the same
// function to float32 precision, not to float64's (see op_gelu.go).
var elem32 = map[string]elemFunc{}

// fn32 is the form of fn for float32 data.
func (fn elemFunc) fn32() elemFunc {
	if f, ok := elem32[fn.name]; ok {
		return f
	}
	return fn
}

// unaryOp applies an elemFunc element by element. Its gradient is derivOp.
type unaryOp struct {
	opBase
	fn elemFunc
}

// derivOp computes grad * f'(x) for the inputs (x, grad). It is not differentiable.
type derivOp struct {
	opBase
	noDiff
	fn elemFunc
}

// applyElem adds fn(x) to x's graph.
func applyElem(fn elemFunc, x *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, fn.name)
	op := unaryOp{opBase{name: fn.name, arity: 1}, fn}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, fn.name)
}

func (o unaryOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o unaryOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o unaryOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o unaryOp) DiffWRT(int) []bool                                { return []bool{true} }

func (o unaryOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		if k := o.fn.fast(); k != nil {
			err = k.apply32(xs, out.Data().([]float32))
		} else {
			err = elemApply(o.fn.fn32().f, xs, out.Data().([]float32))
		}
	case []float64:
		if k := o.fn.fast(); k != nil {
			err = k.apply64(xs, out.Data().([]float64))
		} else {
			err = elemApply(o.fn.f, xs, out.Data().([]float64))
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

func (o unaryOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := derivOp{opBase{name: "d" + o.fn.name, arity: 2}, noDiff{}, o.fn}
	n, err := G.ApplyOp(d, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.fn.name)
	}
	return G.Nodes{n}, nil
}

func (o derivOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o derivOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o derivOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o derivOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x, g := args[0], args[1]
	if x.Dtype() != g.Dtype() || x.Shape().TotalSize() != g.Shape().TotalSize() {
		return nil, errors.Errorf("%s: input %v %v and gradient %v %v differ", o.name, x.Dtype(), x.Shape(), g.Dtype(), g.Shape())
	}
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		if k := o.fn.fast(); k != nil {
			err = k.deriv32(xs, g.Data().([]float32), out.Data().([]float32))
		} else {
			err = elemDeriv(o.fn.fn32().df, xs, g.Data().([]float32), out.Data().([]float32))
		}
	case []float64:
		if k := o.fn.fast(); k != nil {
			err = k.deriv64(xs, g.Data().([]float64), out.Data().([]float64))
		} else {
			err = elemDeriv(o.fn.df, xs, g.Data().([]float64), out.Data().([]float64))
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

// elemApply writes f(x) into y element by element in float64 arithmetic (a
// float32 result is the float64 one rounded once, with no float64 copy of the
// tensor), split across cores when the tensor is large.
func elemApply[T float32 | float64](f func(float64) float64, x, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		for i, v := range x[lo:hi] {
			y[lo+i] = T(f(float64(v)))
		}
		return nil
	})
}

// elemDeriv writes g·df(x) into y as elemApply does.
func elemDeriv[T float32 | float64](df func(float64) float64, x, g, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		for i, v := range x[lo:hi] {
			y[lo+i] = T(float64(g[lo+i]) * df(float64(v)))
		}
		return nil
	})
}

// withParam names an elemFunc with its parameter, so that ops of different
// parameters hash differently (Gorgonia merges nodes of equal hash).
func withParam(name string, p float64) string { return fmt.Sprintf("%s(%g)", name, p) }
