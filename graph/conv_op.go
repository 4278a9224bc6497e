package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// conv2dOp is a 2-D convolution of NHWC images by a (kh, kw, c, f) kernel, computed
// as im2col and a matrix product with the batch split across GOMAXPROCS workers.
// Its gradients are conv2dGradOp. ws holds the buffers reused from run to run;
// cache, shared with the kernel gradient, the last run's im2col matrices.
type conv2dOp struct {
	opBase
	spec  Conv2DSpec
	ws    *workspace
	cache *colsCache
}

// Conv2D convolves x of shape (batch, height, width, channels) with kernel of shape
// (kernel_height, kernel_width, channels, filters), Keras' channels_last layout,
// giving (batch, out_height, out_width, filters); see Conv2DSpec for strides,
// dilation and padding (Keras' defaults are strides (1, 1), dilation (1, 1),
// padding "valid"). Like Keras (and unlike a textbook convolution) the kernel is
// not flipped. Shapes that do not fit are an error naming them.
func Conv2D(x, kernel *G.Node, spec Conv2DSpec) (n *G.Node, err error) {
	defer recoverOp(&err, "conv2d")
	if _, err := convGeomOf(x.Shape(), kernel.Shape(), spec); err != nil {
		return nil, err
	}
	if x.Dtype() != kernel.Dtype() {
		return nil, errors.Errorf("conv2d: input is %v, kernel is %v", x.Dtype(), kernel.Dtype())
	}
	op := conv2dOp{opBase{name: "conv2d" + specName(spec), arity: 2}, spec, &workspace{}, &colsCache{}}
	n, err = G.ApplyOp(op, x, kernel)
	return n, errors.Wrap(err, "conv2d")
}

// specName encodes a spec in an op's name, so ops of different settings hash apart.
func specName(s Conv2DSpec) string {
	return fmt.Sprintf("(s%dx%d,d%dx%d,%s)", s.Strides[0], s.Strides[1], s.Dilation[0], s.Dilation[1], s.Padding)
}

// tensor4 is the Hindley-Milner type a -> a -> a of two 4-d inputs and a 4-d output.
func tensor4() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

func (o conv2dOp) Type() hm.Type                     { return tensor4() }
func (o conv2dOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o conv2dOp) DiffWRT(int) []bool                { return []bool{true, true} }

func (o conv2dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", o.name, len(in))
	}
	xs, ok1 := in[0].(tensor.Shape)
	ks, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, errors.Errorf("%s: inputs have no shape", o.name)
	}
	g, err := convGeomOf(xs, ks, o.spec)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.n, g.oh, g.ow, g.f}, nil
}

func (o conv2dOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x, k := args[0], args[1]
	if x.Dtype() != k.Dtype() {
		return nil, errors.Errorf("%s: input is %v, kernel is %v", o.name, x.Dtype(), k.Dtype())
	}
	g, err := convGeomOf(x.Shape(), k.Shape(), o.spec)
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, x.Dtype(), tensor.Shape{g.n, g.oh, g.ow, g.f}, args...)
	switch xs := x.Data().(type) {
	case []float32:
		err = convForward(xs, k.Data().([]float32), out.Data().([]float32), g, &o.ws.f32, cacheOf[float32](o.cache), x.Uintptr())
	case []float64:
		err = convForward(xs, k.Data().([]float64), out.Data().([]float64), g, &o.ws.f64, cacheOf[float64](o.cache), x.Uintptr())
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

func (o conv2dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, k := inputs[0], inputs[1]
	dx, err := G.ApplyOp(newConvGrad(convGradInput, o.spec, x.Shape(), nil), k, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s with respect to the input", o.name)
	}
	dk, err := G.ApplyOp(newConvGrad(convGradKernel, o.spec, k.Shape(), o.cache), x, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s with respect to the kernel", o.name)
	}
	return G.Nodes{dx, dk}, nil
}

// freshOutput is outputLike, except that it never returns a tensor sharing
// memory with one of the inputs.
func freshOutput(prealloc G.Value, dt tensor.Dtype, shape tensor.Shape, inputs ...*tensor.Dense) *tensor.Dense {
	if p, ok := prealloc.(*tensor.Dense); ok {
		for _, in := range inputs {
			if in.Uintptr() == p.Uintptr() {
				prealloc = nil
				break
			}
		}
	}
	return outputLike(prealloc, dt, shape)
}
