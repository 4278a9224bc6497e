package graph

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops on field vectors (fmOp, dotInteractionOp) take x of shape (B, F, K), F
// field vectors of K values per example, to a matrix (B, N); their gradient ops
// take x and the upstream gradient (B, N) to dx, shaped like x. The helpers below
// hold the type, shape and argument checks they share.

// fieldsType is the type a3 -> a2 of an op on field vectors.
func fieldsType() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a})
}

// fieldsGradType is the type a3 -> a2 -> a3 of the gradient of an op on field
// vectors: (x, upstream) -> dx.
func fieldsGradType() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: 3, Of: a}
	return hm.NewFnType(x, G.TensorType{Dims: 2, Of: a}, x)
}

// notFields is the error of the op name given an input of shape s that is not
// (batch, fields, dims).
func notFields(name string, s tensor.Shape) error {
	return errors.Errorf("%s: input shape %v is not (batch, fields, dims)", name, s)
}

// fieldsShape is firstShape for an op on field vectors: an error unless the input
// is (batch, fields, dims).
func (o opBase) fieldsShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != 3 {
		return nil, notFields(o.name, s)
	}
	return s, nil
}

// fieldsArg returns the one input of an op on field vectors, a dense x of shape
// (B, F, K).
func fieldsArg(name string, in []G.Value) (*tensor.Dense, error) {
	args, err := denseArgs(name, 1, in)
	if err != nil {
		return nil, err
	}
	if s := args[0].Shape(); s.Dims() != 3 {
		return nil, notFields(name, s)
	}
	return args[0], nil
}

// fieldsGradArgs returns the inputs of the gradient of an op on field vectors: a
// dense x of shape (B, F, K) and the upstream gradient g, of x's dtype and as many
// values as the forward output, whose shape for x of shape s is out(s).
func fieldsGradArgs(name string, in []G.Value, out func(s tensor.Shape) tensor.Shape) (x, g *tensor.Dense, err error) {
	args, err := denseArgs(name, 2, in)
	if err != nil {
		return nil, nil, err
	}
	x, g = args[0], args[1]
	s := x.Shape()
	if s.Dims() != 3 || x.Dtype() != g.Dtype() || g.Shape().TotalSize() != out(s).TotalSize() {
		return nil, nil, errors.Errorf("%s: input %v %v and gradient %v %v do not fit", name, x.Dtype(), s, g.Dtype(), g.Shape())
	}
	return x, g, nil
}
