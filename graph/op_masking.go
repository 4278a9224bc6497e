package graph

// Ops of the Masking layer (kept beside the layer-norm op for now; they belong in
// a file of the sequence ops of their own).

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepMaskOp gives, for x of shape (B, T, ..., D), the (B, T, ...) mask that is 1
// where any of the D features differs from value and 0 elsewhere. Not
// differentiable.
type stepMaskOp struct {
	opBase
	noDiff
	dims  int
	value float64
}

// maskStepsOp multiplies x of shape (B, T, ..., D) by a mask of shape (B, T, ...)
// broadcast over the last axis. Differentiable with respect to x only: its
// gradient is the same op applied to the output's gradient.
type maskStepsOp struct {
	opBase
	dims int
}

// StepMask returns the mask of Keras' Masking layer for x of shape (B, T, ..., D)
// (at least two axes, float32 or float64): 1 where any feature (last axis) of a
// step differs from value, 0 where all equal it; shape (B, T, ...), x's dtype. It
// has no gradient.
func StepMask(x *G.Node, value float64) (n *G.Node, err error) {
	defer recoverOp(&err, "step mask")
	if x.Dims() < 2 {
		return nil, errors.Errorf("step mask: input shape %v needs a feature axis after the batch axis", x.Shape())
	}
	if err := checkFloat("step mask", x.Dtype()); err != nil {
		return nil, err
	}
	op := stepMaskOp{opBase{name: fmt.Sprintf("step_mask%d(%g)", x.Dims(), value), arity: 1}, noDiff{}, x.Dims(), value}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "step mask")
}

// MaskSteps returns x (B, T, ..., D) times mask (B, T, ...) broadcast over the
// last axis: the steps where the mask is 0 become zeros. The gradient flows to x.
func MaskSteps(x, mask *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "mask steps")
	xs, ms := x.Shape(), mask.Shape()
	if xs.Dims() < 2 || ms.Dims() != xs.Dims()-1 || !xs[:xs.Dims()-1].Eq(ms) {
		return nil, errors.Errorf("mask steps: mask shape %v does not fit input shape %v", ms, xs)
	}
	if x.Dtype() != mask.Dtype() {
		return nil, errors.Errorf("mask steps: dtypes differ (%v and %v)", x.Dtype(), mask.Dtype())
	}
	if err := checkFloat("mask steps", x.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(maskStepsOp{opBase{name: fmt.Sprintf("mask_steps%d", xs.Dims()), arity: 2}, xs.Dims()}, x, mask)
	return n, errors.Wrap(err, "mask steps")
}

func (o stepMaskOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: a}, G.TensorType{Dims: o.dims - 1, Of: a})
}

func (o stepMaskOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return s[:s.Dims()-1].Clone(), nil
}

func (o stepMaskOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o stepMaskOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	s := x.Shape()
	if s.Dims() < 2 {
		return nil, errors.Errorf("%s: input shape %v has no feature axis", o.name, s)
	}
	if err := checkFloat(o.name, x.Dtype()); err != nil {
		return nil, err
	}
	d := s[s.Dims()-1]
	xs := f64s(x)
	m := make([]float64, s.TotalSize()/max(d, 1))
	v := o.value
	if x.Dtype() == tensor.Float32 {
		v = float64(float32(v)) // compare as the data is stored
	}
	for i := range m {
		for _, e := range xs[i*d : i*d+d] {
			if e != v {
				m[i] = 1
				break
			}
		}
	}
	out := outputLike(prealloc, x.Dtype(), s[:s.Dims()-1])
	store(out, m)
	return out, nil
}

func (o maskStepsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: o.dims, Of: a}
	return hm.NewFnType(x, G.TensorType{Dims: o.dims - 1, Of: a}, x)
}
func (o maskStepsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o maskStepsOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o maskStepsOp) DiffWRT(n int) []bool                              { return []bool{true, false} }

func (o maskStepsOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(o, grad, inputs[1])
	if err != nil {
		return nil, errors.Wrap(err, "gradient of mask steps")
	}
	return G.Nodes{dx, nil}, nil
}

func (o maskStepsOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x, m := args[0], args[1]
	if x.Dtype() != m.Dtype() || m.Shape().TotalSize() == 0 || x.Shape().TotalSize()%m.Shape().TotalSize() != 0 {
		return nil, errors.Errorf("%s: input %v %v and mask %v %v do not fit", o.name, x.Dtype(), x.Shape(), m.Dtype(), m.Shape())
	}
	d := x.Shape().TotalSize() / m.Shape().TotalSize()
	out := outputLike(prealloc, x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		ms, ys := m.Data().([]float32), out.Data().([]float32)
		for i, w := range ms {
			for j := i * d; j < i*d+d; j++ {
				ys[j] = xs[j] * w
			}
		}
	case []float64:
		ms, ys := m.Data().([]float64), out.Data().([]float64)
		for i, w := range ms {
			for j := i * d; j < i*d+d; j++ {
				ys[j] = xs[j] * w
			}
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}
