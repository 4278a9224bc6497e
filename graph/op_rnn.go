package graph

// A differentiable slice along one axis, for the recurrent layers: they take step t
// of a (B, T, D) sequence and the gate blocks of a (B, g·U) pre-activation without
// Gorgonia's strided views (whose later ops copy or misbehave).

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sliceGradOp is sliceAxisOp with a gradient: padAxisOp puts the upstream gradient
// back into zeros of the input's shape.
type sliceGradOp struct {
	sliceAxisOp
	full int // the input's size along axis
}

// padAxisOp places its (…, hi-lo, …) input at [lo, hi) of zeros whose axis has size
// full: the gradient of sliceGradOp. Not differentiable.
type padAxisOp struct {
	opBase
	noDiff
	axis, dims, lo, hi, full int
}

// SliceAxis returns the entries lo <= i < hi of x along axis (the batch axis is 0;
// negative counts from the end), keeping the axis: x (B, T, D) with axis 1 and
// [t, t+1) gives (B, 1, D). Float32 or float64; the gradient flows to x.
func SliceAxis(x *G.Node, axis, lo, hi int) (n *G.Node, err error) {
	defer recoverOp(&err, "slice axis")
	if err := checkFloat("slice axis", x.Dtype()); err != nil {
		return nil, err
	}
	dims := x.Dims()
	ax, ok := normAxis(axis, dims)
	if !ok {
		return nil, errors.Errorf("slice axis: axis %d out of range for shape %v", axis, x.Shape())
	}
	full := x.Shape()[ax]
	if lo < 0 || hi > full || lo >= hi {
		return nil, errors.Errorf("slice axis: cannot slice [%d, %d) of axis %d from shape %v", lo, hi, ax, x.Shape())
	}
	name := fmt.Sprintf("slice_grad_axis(%d,%d,%d,%d,%d)", ax, dims, lo, hi, full)
	op := sliceGradOp{sliceAxisOp{opBase{name: name, arity: 1}, noDiff{}, ax, dims, lo, hi}, full}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "slice axis")
}

func (o sliceGradOp) DiffWRT(n int) []bool { return []bool{true} }

func (o sliceGradOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := padAxisOp{opBase{name: fmt.Sprintf("pad_axis(%d,%d,%d,%d,%d)", o.axis, o.dims, o.lo, o.hi, o.full), arity: 1}, noDiff{}, o.axis, o.dims, o.lo, o.hi, o.full}
	g, err := G.ApplyOp(op, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{g}, nil
}

func (o padAxisOp) Type() hm.Type { return o.sameTypeFn() }

func (o padAxisOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != o.dims || s[o.axis] != o.hi-o.lo {
		return nil, errors.Errorf("%s: input shape %v does not fit", o.name, s)
	}
	s[o.axis] = o.full
	return s, nil
}

func (o padAxisOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o padAxisOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	shape, err := o.InferShape(x.Shape())
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, x.Dtype(), shape, x)
	outer, inner := outerInner(shape, o.axis)
	row, blk, off := o.full*inner, (o.hi-o.lo)*inner, o.lo*inner
	switch xs := x.Data().(type) {
	case []float32:
		padKernel(xs, out.Data().([]float32), outer, row, blk, off)
	case []float64:
		padKernel(xs, out.Data().([]float64), outer, row, blk, off)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// padKernel zeroes ys and copies, for each outer index, x's block to off in the row.
func padKernel[T float](xs, ys []T, outer, row, blk, off int) {
	for i := range ys {
		ys[i] = 0
	}
	for o := 0; o < outer; o++ {
		copy(ys[o*row+off:o*row+off+blk], xs[o*blk:(o+1)*blk])
	}
}
