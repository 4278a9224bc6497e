package graph

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// minMaxOp is the element-wise maximum (or minimum) of two tensors of one shape.
// Its gradient is pickGradOp, once for each input.
type minMaxOp struct {
	opBase
	max bool
}

// pickGradOp takes (x, other, g) and gives g where x wins against other (x > other
// for a maximum, x < other for a minimum), g/2 where they tie and 0 elsewhere: the
// gradient of minMaxOp with respect to x, with torch.maximum's tie rule. It is not
// differentiable.
type pickGradOp struct {
	opBase
	noDiff
	max bool
}

// Maximum is the element-wise maximum of a and b, of one shape and dtype (float32
// or float64); the result has that shape. The gradient goes to the larger input;
// where a and b are equal each gets half of it (as torch.maximum).
func Maximum(a, b *G.Node) (*G.Node, error) { return minMax(true, a, b) }

// Minimum is the element-wise minimum of a and b, of one shape and dtype (float32
// or float64); the result has that shape. The gradient goes to the smaller input;
// where a and b are equal each gets half of it (as torch.minimum).
func Minimum(a, b *G.Node) (*G.Node, error) { return minMax(false, a, b) }

func minMaxName(max bool) string {
	if max {
		return "maximum"
	}
	return "minimum"
}

func minMax(max bool, a, b *G.Node) (n *G.Node, err error) {
	name := minMaxName(max)
	defer recoverOp(&err, name)
	if !a.Shape().Eq(b.Shape()) {
		return nil, errors.Errorf("%s: shapes %v and %v differ", name, a.Shape(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("%s: dtypes %v and %v differ", name, a.Dtype(), b.Dtype())
	}
	if err := checkFloat(name, a.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(minMaxOp{opBase{name: name, arity: 2}, max}, a, b)
	return n, errors.Wrap(err, name)
}

func (o minMaxOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o minMaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o minMaxOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o minMaxOp) DiffWRT(int) []bool                                { return []bool{true, true} }

func (o minMaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := pickGradOp{opBase{name: "d" + o.name, arity: 3}, noDiff{}, o.max}
	da, err := G.ApplyOp(op, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	db, err := G.ApplyOp(op, inputs[1], inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{da, db}, nil
}

// sameShapeArgs is denseArgs that also checks that all inputs have one dtype and
// one number of elements.
func sameShapeArgs(name string, want int, in []G.Value) ([]*tensor.Dense, error) {
	args, err := denseArgs(name, want, in)
	if err != nil {
		return nil, err
	}
	for _, a := range args[1:] {
		if a.Dtype() != args[0].Dtype() || a.Shape().TotalSize() != args[0].Shape().TotalSize() {
			return nil, errors.Errorf("%s: inputs %v %v and %v %v differ", name, args[0].Dtype(), args[0].Shape(), a.Dtype(), a.Shape())
		}
	}
	return args, nil
}

func (o minMaxOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := sameShapeArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	out := outputLike(prealloc, args[0].Dtype(), args[0].Shape())
	switch as := args[0].Data().(type) {
	case []float32:
		minMaxKernel(o.max, as, args[1].Data().([]float32), out.Data().([]float32))
	case []float64:
		minMaxKernel(o.max, as, args[1].Data().([]float64), out.Data().([]float64))
	default:
		return nil, checkFloat(o.name, args[0].Dtype())
	}
	return out, nil
}

// minMaxKernel writes max(a, b) (or min) to y; a NaN in either input gives NaN,
// as in torch.maximum.
func minMaxKernel[T float](max bool, a, b, y []T) {
	for i, x := range a {
		switch o := b[i]; {
		case x != x || o != o:
			y[i] = x + o
		case (max && x > o) || (!max && x < o):
			y[i] = x
		default:
			y[i] = o
		}
	}
}

func (o pickGradOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o pickGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o pickGradOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o pickGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := sameShapeArgs(o.name, 3, in)
	if err != nil {
		return nil, err
	}
	out := outputLike(prealloc, args[0].Dtype(), args[0].Shape())
	switch xs := args[0].Data().(type) {
	case []float32:
		pickKernel(o.max, xs, args[1].Data().([]float32), args[2].Data().([]float32), out.Data().([]float32))
	case []float64:
		pickKernel(o.max, xs, args[1].Data().([]float64), args[2].Data().([]float64), out.Data().([]float64))
	default:
		return nil, checkFloat(o.name, args[0].Dtype())
	}
	return out, nil
}

func pickKernel[T float](max bool, x, other, g, y []T) {
	for i, v := range x {
		switch {
		case v == other[i]:
			y[i] = g[i] / 2
		case (v > other[i]) == max:
			y[i] = g[i]
		default:
			y[i] = 0
		}
	}
}
