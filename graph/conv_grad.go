package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convGradKind selects which gradient a conv2dGradOp computes.
type convGradKind int

const (
	convGradInput  convGradKind = iota // inputs (kernel, dy), output shaped as x
	convGradKernel                     // inputs (x, dy), output shaped as the kernel
)

// conv2dGradOp is a gradient of conv2dOp: with respect to the input (col2im of
// kernel·dyᵀ) or to the kernel (dyᵀ·im2col(x)). shape is the forward input's shape
// (its batch is read from dy at run time) or the kernel's. cache is the forward
// op's (kernel gradient only). It is not differentiable.
type conv2dGradOp struct {
	opBase
	noDiff
	kind  convGradKind
	spec  Conv2DSpec
	shape tensor.Shape
	ws    *workspace
	cache *colsCache
}

func newConvGrad(kind convGradKind, spec Conv2DSpec, shape tensor.Shape, cache *colsCache) conv2dGradOp {
	name := "conv2d_dx"
	if kind == convGradKernel {
		name = "conv2d_dk"
	}
	name += specName(spec) + fmt.Sprint([]int(shape))
	return conv2dGradOp{opBase{name: name, arity: 2}, noDiff{}, kind, spec, shape.Clone(), &workspace{}, cache}
}

func (o conv2dGradOp) Type() hm.Type                     { return tensor4() }
func (o conv2dGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// geom returns the forward geometry for the op's inputs a (kernel or x) and dy.
func (o conv2dGradOp) geom(a, dy tensor.Shape) (convGeom, tensor.Shape, error) {
	if len(dy) != 4 || len(o.shape) != 4 {
		return convGeom{}, nil, errors.Errorf("%s: gradient shape %v is not (batch, height, width, filters)", o.name, dy)
	}
	xs, ks, out := a, o.shape, o.shape
	if o.kind == convGradInput {
		xs = tensor.Shape{dy[0], o.shape[1], o.shape[2], o.shape[3]}
		ks, out = a, xs
	}
	g, err := convGeomOf(xs, ks, o.spec)
	if err != nil {
		return g, nil, err
	}
	if !dy.Eq(tensor.Shape{g.n, g.oh, g.ow, g.f}) {
		return g, nil, errors.Errorf("%s: gradient shape %v, want %v", o.name, dy, tensor.Shape{g.n, g.oh, g.ow, g.f})
	}
	return g, out.Clone(), nil
}

func (o conv2dGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", o.name, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	dy, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, errors.Errorf("%s: inputs have no shape", o.name)
	}
	_, out, err := o.geom(a, dy)
	return out, err
}

func (o conv2dGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	a, dy := args[0], args[1]
	if a.Dtype() != dy.Dtype() {
		return nil, errors.Errorf("%s: inputs are %v and %v", o.name, a.Dtype(), dy.Dtype())
	}
	g, shape, err := o.geom(a.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, a.Dtype(), shape, args...)
	switch as := a.Data().(type) {
	case []float32:
		err = convGrad(o.kind, as, dy.Data().([]float32), out.Data().([]float32), g, &o.ws.f32, cacheOf[float32](o.cache), a.Uintptr())
	case []float64:
		err = convGrad(o.kind, as, dy.Data().([]float64), out.Data().([]float64), g, &o.ws.f64, cacheOf[float64](o.cache), a.Uintptr())
	default:
		return nil, checkFloat(o.name, a.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

func convGrad[T float](kind convGradKind, a, dy, out []T, g convGeom, s *scratch[T], cache *cachedCols[T], aID uintptr) error {
	if kind == convGradInput {
		return convInputGrad(a, dy, out, g, s)
	}
	return convKernelGrad(a, dy, out, g, s, cache, aID)
}
