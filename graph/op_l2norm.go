package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// l2Eps is the smallest norm L2Normalize divides by, as torch.nn.functional.normalize.
const l2Eps = 1e-12

// l2NormOp divides x by max(||x||, l2Eps), the norm taken along one axis; with
// grad set it is its gradient instead: inputs (x, g), output
// (g - y·sum(g·y)) / ||x|| where ||x|| >= l2Eps and g / l2Eps elsewhere (y = x/||x||).
// The gradient is not differentiable.
type l2NormOp struct {
	opBase
	axis, dims int
	grad       bool
}

// L2Normalize divides x (float32 or float64, any shape) by its L2 norm along axis,
// which counts the batch axis as 0 (negative counts from the end): y = x /
// max(||x||, 1e-12), as torch.nn.functional.normalize(x, p=2, dim=axis). The
// result has x's shape. (Keras' l2_normalize clamps the squared norm at 1e-12
// instead; the two differ only for vectors of norm below 1e-6.)
func L2Normalize(x *G.Node, axis int) (n *G.Node, err error) {
	defer recoverOp(&err, "l2_normalize")
	ax, ok := normAxis(axis, x.Dims())
	if !ok {
		return nil, errors.Errorf("l2_normalize: axis %d is out of range for shape %v", axis, x.Shape())
	}
	if err := checkFloat("l2_normalize", x.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(newL2NormOp(ax, x.Dims(), false), x)
	return n, errors.Wrap(err, "l2_normalize")
}

func newL2NormOp(axis, dims int, grad bool) l2NormOp {
	name, arity := "l2_normalize", 1
	if grad {
		name, arity = "l2_normalize_grad", 2
	}
	return l2NormOp{opBase{name: fmt.Sprintf("%s(%d,%d)", name, axis, dims), arity: arity}, axis, dims, grad}
}

func (o l2NormOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o l2NormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o l2NormOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o l2NormOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = !o.grad
	}
	return out
}

func (o l2NormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	n, err := G.ApplyOp(newL2NormOp(o.axis, o.dims, true), inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o l2NormOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := sameShapeArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	if x.Dims() != o.dims {
		return nil, errors.Errorf("%s: input shape %v does not have %d axes", o.name, x.Shape(), o.dims)
	}
	out := freshOutput(prealloc, x.Dtype(), x.Shape(), args...)
	outer, inner := outerInner(x.Shape(), o.axis)
	k := x.Shape()[o.axis]
	switch xs := x.Data().(type) {
	case []float32:
		var gs []float32
		if o.grad {
			gs = args[1].Data().([]float32)
		}
		l2Fibers(xs, gs, out.Data().([]float32), outer, k, inner)
	case []float64:
		var gs []float64
		if o.grad {
			gs = args[1].Data().([]float64)
		}
		l2Fibers(xs, gs, out.Data().([]float64), outer, k, inner)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// l2Fibers normalizes each fiber of x (k entries, stride inner) into y, or, when g
// is not nil, writes the gradient for the upstream g. Sums are taken in float64.
func l2Fibers[T float](x, g, y []T, outer, k, inner int) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*k*inner + i
			var ss float64
			for j := 0; j < k; j++ {
				v := float64(x[base+j*inner])
				ss += v * v
			}
			norm := math.Sqrt(ss)
			if g == nil {
				d := math.Max(norm, l2Eps)
				for j := 0; j < k; j++ {
					y[base+j*inner] = T(float64(x[base+j*inner]) / d)
				}
				continue
			}
			if norm < l2Eps { // the clamp is active: y = x / eps
				for j := 0; j < k; j++ {
					y[base+j*inner] = T(float64(g[base+j*inner]) / l2Eps)
				}
				continue
			}
			var dot float64
			for j := 0; j < k; j++ {
				dot += float64(g[base+j*inner]) * float64(x[base+j*inner]) / norm
			}
			for j := 0; j < k; j++ {
				at := base + j*inner
				y[at] = T((float64(g[at]) - float64(x[at])/norm*dot) / norm)
			}
		}
	}
}
