package graph

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Pool1DOutputShape is the example shape (out_steps, channels) that a 1-D pooling
// gives for an example of shape in = (steps, channels).
func Pool1DOutputShape(in []int, spec Pool1DSpec) ([]int, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("pool1d: input shape %s is not (steps, channels)", dims(in))
	}
	if in[1] <= 0 {
		return nil, errors.Errorf("pool1d: input shape %s has no channels", dims(in))
	}
	out, _, _, err := convAxis(in[0], spec.Size, spec.Stride, 1, spec.Padding)
	if err != nil {
		return nil, errors.Wrapf(err, "pool1d: input %s, pool size %d, stride %d", dims(in), spec.Size, spec.Stride)
	}
	return []int{out, in[1]}, nil
}

// MaxPool1D is the maximum of each window of x, shape (batch, steps, channels),
// giving (batch, out_steps, channels); padded positions are never the maximum.
// Its gradient goes to the first maximal element of each window.
func MaxPool1D(x *G.Node, spec Pool1DSpec) (*G.Node, error) { return pool1D(poolMax, x, spec) }

// AvgPool1D is the mean of each window of x, shape (batch, steps, channels),
// giving (batch, out_steps, channels); padded positions are not counted, as in
// Keras. Its gradient is spread evenly over each window.
func AvgPool1D(x *G.Node, spec Pool1DSpec) (*G.Node, error) { return pool1D(poolAvg, x, spec) }

// pool1D pools images of height 1 with the 2-D pooling op of this package.
func pool1D(kind poolKind, x *G.Node, spec Pool1DSpec) (n *G.Node, err error) {
	name := [...]string{"max_pool1d", "avg_pool1d"}[kind]
	defer recoverOp(&err, name)
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, steps, channels)", name, s)
	}
	out, err := Pool1DOutputShape(s[1:], spec)
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	x4, err := G.Reshape(x, []int{s[0], 1, s[1], s[2]})
	if err != nil {
		return nil, errors.Wrapf(err, "%s: reshape %v", name, s)
	}
	y, err := pool2D(kind, x4, Pool2DSpec{Size: [2]int{1, spec.Size}, Strides: [2]int{1, spec.Stride}, Padding: spec.Padding})
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	n, err = G.Reshape(y, []int{s[0], out[0], out[1]})
	return n, errors.Wrapf(err, "%s: reshape %v", name, y.Shape())
}

// globalPool1dOp is the mean or maximum over the steps of x, shape (batch, steps,
// channels), giving (batch, channels). With masked it takes a second input, the
// mask (batch, steps), 1 for a real step and 0 for padding: padded steps are left
// out. With grad it is the gradient: inputs (x, [mask,] dy), output shaped as x.
type globalPool1dOp struct {
	opBase
	kind   poolKind
	masked bool
	grad   bool
}

func newGlobalPool1d(kind poolKind, masked, grad bool) globalPool1dOp {
	name := [...]string{"global_max_pool1d", "global_avg_pool1d"}[kind]
	arity := 1
	if masked {
		name, arity = "masked_"+name, 2
	}
	if grad {
		name, arity = "d"+name, arity+1
	}
	return globalPool1dOp{opBase{name: name, arity: arity}, kind, masked, grad}
}

// GlobalAvgPool1D is the mean over the steps of x, shape (batch, steps, channels),
// giving (batch, channels). With a mask (batch, steps) of 1 for real steps and 0
// for padding (nil: none), the mean is over the real steps only (0 for a row with
// none). Its gradient is spread evenly over the (real) steps.
func GlobalAvgPool1D(x, mask *G.Node) (*G.Node, error) { return globalPool1D(poolAvg, x, mask) }

// GlobalMaxPool1D is the maximum over the steps of x, shape (batch, steps,
// channels), giving (batch, channels). With a mask (batch, steps) of 1 for real
// steps and 0 for padding (nil: none), padded steps are never the maximum (0 for
// a row with no real step). Its gradient goes to the first maximal (real) step.
func GlobalMaxPool1D(x, mask *G.Node) (*G.Node, error) { return globalPool1D(poolMax, x, mask) }

func globalPool1D(kind poolKind, x, mask *G.Node) (n *G.Node, err error) {
	op := newGlobalPool1d(kind, mask != nil, false)
	defer recoverOp(&err, op.name)
	s := x.Shape()
	if s.Dims() != 3 || s[1] <= 0 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, steps, channels)", op.name, s)
	}
	if err := checkFloat(op.name, x.Dtype()); err != nil {
		return nil, err
	}
	if mask == nil {
		n, err = G.ApplyOp(op, x)
		return n, errors.Wrap(err, op.name)
	}
	if ms := mask.Shape(); ms.Dims() != 2 || ms[0] != s[0] || ms[1] != s[1] || mask.Dtype() != x.Dtype() {
		return nil, errors.Errorf("%s: mask %v %v does not fit the input %v %v (want (batch, steps) of its dtype)", op.name, mask.Dtype(), ms, x.Dtype(), s)
	}
	n, err = G.ApplyOp(op, x, mask)
	return n, errors.Wrap(err, op.name)
}

func (o globalPool1dOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t3, t2 := G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a}
	ts := []hm.Type{t3}
	if o.masked {
		ts = append(ts, t2)
	}
	if o.grad {
		return hm.NewFnType(append(ts, t2, t3)...)
	}
	return hm.NewFnType(append(ts, t2)...)
}

func (o globalPool1dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, steps, channels)", o.name, s)
	}
	if o.grad {
		return s, nil
	}
	return tensor.Shape{s[0], s[2]}, nil
}

func (o globalPool1dOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o globalPool1dOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	if !o.grad && n > 0 {
		d[0] = true
	}
	return d
}

func (o globalPool1dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	args := append(append(G.Nodes(nil), inputs...), grad)
	dx, err := G.ApplyOp(newGlobalPool1d(o.kind, o.masked, true), args...)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	out := G.Nodes{dx}
	if o.masked {
		out = append(out, nil)
	}
	return out, nil
}

func (o globalPool1dOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, steps, channels)", o.name, s)
	}
	for _, a := range args[1:] {
		if a.Dtype() != x.Dtype() {
			return nil, errors.Errorf("%s: inputs of dtypes %v and %v", o.name, x.Dtype(), a.Dtype())
		}
	}
	n, t, c := s[0], s[1], s[2]
	var mask *tensor.Dense
	if o.masked {
		mask = args[1]
		if mask.Shape().TotalSize() != n*t {
			return nil, errors.Errorf("%s: mask %v does not fit the input %v", o.name, mask.Shape(), s)
		}
	}
	outShape := tensor.Shape{n, c}
	if o.grad {
		dy := args[len(args)-1]
		if dy.Shape().TotalSize() != n*c {
			return nil, errors.Errorf("%s: gradient %v does not fit the input %v", o.name, dy.Shape(), s)
		}
		outShape = s.Clone()
	}
	out := freshOutput(prealloc, x.Dtype(), outShape, args...)
	switch xs := x.Data().(type) {
	case []float32:
		globalPool1dRun(o, xs, maskData[float32](mask), args, out.Data().([]float32), n, t, c)
	case []float64:
		globalPool1dRun(o, xs, maskData[float64](mask), args, out.Data().([]float64), n, t, c)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

func maskData[T float](m *tensor.Dense) []T {
	if m == nil {
		return nil
	}
	return m.Data().([]T)
}

func globalPool1dRun[T float](o globalPool1dOp, x, mask []T, args []*tensor.Dense, out []T, n, t, c int) {
	var dy []T
	if o.grad {
		dy = args[len(args)-1].Data().([]T)
	}
	real := func(b, s int) bool { return mask == nil || mask[b*t+s] != 0 }
	for i := range out {
		out[i] = 0
	}
	for b := 0; b < n; b++ {
		xb := x[b*t*c : (b+1)*t*c]
		if o.kind == poolAvg {
			var count T
			for s := 0; s < t; s++ {
				if real(b, s) {
					count++
				}
			}
			if count == 0 {
				continue
			}
			for s := 0; s < t; s++ {
				if !real(b, s) {
					continue
				}
				for ch := 0; ch < c; ch++ {
					if o.grad {
						out[b*t*c+s*c+ch] = dy[b*c+ch] / count
					} else {
						out[b*c+ch] += xb[s*c+ch] / count
					}
				}
			}
			continue
		}
		for ch := 0; ch < c; ch++ {
			best := -1
			for s := 0; s < t; s++ {
				if real(b, s) && (best < 0 || xb[s*c+ch] > xb[best*c+ch]) {
					best = s
				}
			}
			if best < 0 {
				continue
			}
			if o.grad {
				out[b*t*c+best*c+ch] = dy[b*c+ch]
			} else {
				out[b*c+ch] = xb[best*c+ch]
			}
		}
	}
}
