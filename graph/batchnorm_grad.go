package graph

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// batchNormGradOp is the gradient of batchNormOp with respect to x (shaped as x)
// or, with gamma set, to gamma (shape (C)). Inputs: x, gamma, moving mean, moving
// variance, dy. In Train mode it recomputes the batch statistics from x (the moving
// ones were already updated); in Infer mode it uses the moving ones. It is not
// differentiable.
type batchNormGradOp struct {
	opBase
	noDiff
	gamma bool
	fwd   batchNormOp
}

func newBNGrad(fwd batchNormOp, gamma bool) batchNormGradOp {
	name := "d_" + fwd.name
	if gamma {
		name = "dgamma_" + fwd.name
	}
	fwd.ws = &workspace{}
	return batchNormGradOp{opBase{name: name, arity: 5}, noDiff{}, gamma, fwd}
}

func (o batchNormGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, v := G.TensorType{Dims: o.fwd.dims, Of: a}, G.TensorType{Dims: 1, Of: a}
	if o.gamma {
		return hm.NewFnType(x, v, v, v, x, v)
	}
	return hm.NewFnType(x, v, v, v, x, x)
}

func (o batchNormGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil || !o.gamma {
		return s, err
	}
	return tensor.Shape{s[s.Dims()-1]}, nil
}

func (o batchNormGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o batchNormGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	if len(in) != 5 {
		return nil, errors.Errorf("%s: expected 5 inputs, got %d", o.name, len(in))
	}
	// Check as (x, gamma, beta, mean, var, dy) with gamma standing in for beta.
	args, c, err := checkBNArgs(o.name, []G.Value{in[0], in[1], in[1], in[2], in[3], in[4]}, 6)
	if err != nil {
		return nil, err
	}
	shape := args[0].Shape()
	if o.gamma {
		shape = tensor.Shape{c}
	}
	out := freshOutput(prealloc, args[0].Dtype(), shape, args...)
	switch xs := args[0].Data().(type) {
	case []float32:
		bnBackward(o, xs, tensorsOf[float32](args), out.Data().([]float32), c)
	case []float64:
		bnBackward(o, xs, tensorsOf[float64](args), out.Data().([]float64), c)
	default:
		return nil, checkFloat(o.name, args[0].Dtype())
	}
	return out, nil
}

// bnBackward computes dx or dgamma into out from x and a = (x, gamma, gamma,
// moving mean, moving var, dy).
func bnBackward[T float](o batchNormGradOp, x []T, a [][]T, out []T, c int) {
	s := &o.fwd.ws.f64
	mean, variance, inv := s.get(0, c), s.get(1, c), s.get(2, c)
	sumDy, sumDyXhat := s.get(3, c), s.get(4, c)
	if o.fwd.train {
		bnStats(x, c, mean, variance)
	} else {
		bnLoad(a[3], mean)
		bnLoad(a[4], variance)
	}
	bnInvStd(variance, o.fwd.spec.Epsilon, inv)
	bnSums(x, a[5], mean, inv, sumDy, sumDyXhat)
	if o.gamma {
		for i, v := range sumDyXhat {
			out[i] = T(v)
		}
		return
	}
	bnInputGrad(o.fwd.train, x, a[1], a[5], out, mean, inv, sumDy, sumDyXhat)
}
