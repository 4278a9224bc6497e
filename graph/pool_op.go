package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pool2dOp is max or average pooling of NHWC images. With grad set it is the
// gradient instead: inputs (x, dy), output shaped as x, not differentiable.
type pool2dOp struct {
	opBase
	kind poolKind
	spec Pool2DSpec
	grad bool
}

func newPoolOp(kind poolKind, spec Pool2DSpec, grad bool) pool2dOp {
	name := [...]string{"max_pool2d", "avg_pool2d"}[kind]
	arity := 1
	if grad {
		name, arity = "d"+name, 2
	}
	name += fmt.Sprintf("(k%dx%d,s%dx%d,%s)", spec.Size[0], spec.Size[1], spec.Strides[0], spec.Strides[1], spec.Padding)
	return pool2dOp{opBase{name: name, arity: arity}, kind, spec, grad}
}

// MaxPool2D is the maximum of each spec.Size window of x, shape (batch, height,
// width, channels), giving (batch, out_height, out_width, channels); padded
// positions ("same") are never the maximum. Its gradient goes to the first maximal
// element of each window.
func MaxPool2D(x *G.Node, spec Pool2DSpec) (*G.Node, error) { return pool2D(poolMax, x, spec) }

// AvgPool2D is the mean of each spec.Size window of x, shape (batch, height, width,
// channels), giving (batch, out_height, out_width, channels); padded positions
// ("same") are not counted, as in Keras. Its gradient is spread evenly over every
// element of each window (Gorgonia's AveragePool2D sends it to the first window
// only).
func AvgPool2D(x *G.Node, spec Pool2DSpec) (*G.Node, error) { return pool2D(poolAvg, x, spec) }

func pool2D(kind poolKind, x *G.Node, spec Pool2DSpec) (n *G.Node, err error) {
	op := newPoolOp(kind, spec, false)
	defer recoverOp(&err, op.name)
	if _, err := poolGeomOf(x.Shape(), spec); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, op.name)
}

// GlobalAvgPool2D is the mean over height and width of x, shape (batch, height,
// width, channels), giving (batch, channels). Its gradient spreads each output
// gradient evenly over the image (Gorgonia's GlobalAveragePool2D has no gradient).
func GlobalAvgPool2D(x *G.Node) (*G.Node, error) { return globalPool(poolAvg, x) }

// GlobalMaxPool2D is the maximum over height and width of x, shape (batch, height,
// width, channels), giving (batch, channels). Its gradient goes to the first
// maximal element of each channel.
func GlobalMaxPool2D(x *G.Node) (*G.Node, error) { return globalPool(poolMax, x) }

// globalPool pools with one window the size of the image, then drops the two unit
// axes.
func globalPool(kind poolKind, x *G.Node) (n *G.Node, err error) {
	name := [...]string{"global_max_pool2d", "global_avg_pool2d"}[kind]
	defer recoverOp(&err, name)
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, height, width, channels)", name, s)
	}
	p, err := pool2D(kind, x, Pool2DSpec{Size: [2]int{s[1], s[2]}, Strides: [2]int{1, 1}, Padding: "valid"})
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	n, err = G.Reshape(p, []int{s[0], s[3]})
	return n, errors.Wrapf(err, "%s: reshape %v", name, p.Shape())
}

func (o pool2dOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	if o.grad {
		return hm.NewFnType(t, t, t)
	}
	return hm.NewFnType(t, t)
}

func (o pool2dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	g, err := poolGeomOf(s, o.spec)
	if err != nil || o.grad {
		return s, err
	}
	return tensor.Shape{g.n, g.oh, g.ow, g.c}, nil
}

func (o pool2dOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o pool2dOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	if !o.grad && n > 0 {
		d[0] = true
	}
	return d
}

func (o pool2dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	dx, err := G.ApplyOp(newPoolOp(o.kind, o.spec, true), inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{dx}, nil
}

func (o pool2dOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	g, err := poolGeomOf(x.Shape(), o.spec)
	if err != nil {
		return nil, err
	}
	shape := tensor.Shape{g.n, g.oh, g.ow, g.c}
	if o.grad {
		for i, a := range args[1:] {
			if a.Dtype() != x.Dtype() || !a.Shape().Eq(shape) {
				return nil, errors.Errorf("%s: input %d is %v %v, want %v %v", o.name, i+1, a.Dtype(), a.Shape(), x.Dtype(), shape)
			}
		}
		shape = x.Shape().Clone()
	}
	out := freshOutput(prealloc, x.Dtype(), shape, args...)
	switch xs := x.Data().(type) {
	case []float32:
		err = o.run32(xs, args, out.Data().([]float32), g)
	case []float64:
		err = o.run64(xs, args, out.Data().([]float64), g)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

func (o pool2dOp) run32(x []float32, args []*tensor.Dense, out []float32, g convGeom) error {
	if o.grad {
		return poolBackward(o.kind, x, args[1].Data().([]float32), out, g)
	}
	return poolForward(o.kind, x, out, g)
}

func (o pool2dOp) run64(x []float64, args []*tensor.Dense, out []float64, g convGeom) error {
	if o.grad {
		return poolBackward(o.kind, x, args[1].Data().([]float64), out, g)
	}
	return poolForward(o.kind, x, out, g)
}
