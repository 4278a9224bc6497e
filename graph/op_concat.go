package graph

import (
	"fmt"
	"strings"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// concatOp joins its inputs along one axis. Its gradient with respect to each
// input is a sliceAxisOp of the upstream gradient.
type concatOp struct {
	opBase
	axis, dims int
}

// sliceAxisOp keeps the entries lo <= i < hi along one axis: the gradient of
// concatOp. It is not differentiable.
type sliceAxisOp struct {
	opBase
	noDiff
	axis, dims, lo, hi int
}

// Concat joins xs (one or more float32 or float64 tensors of one dtype and rank)
// along axis, which counts the batch axis as 0; a negative axis counts from the end
// (-1 is the last axis, as in Keras). Every other dimension must match. For inputs
// (B, n_1, D), ..., (B, n_k, D) and axis 1 the result is (B, n_1+...+n_k, D).
func Concat(axis int, xs ...*G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "concat")
	if len(xs) == 0 {
		return nil, errors.New("concat: no inputs")
	}
	shapes := make([]tensor.Shape, len(xs))
	for i, x := range xs {
		shapes[i] = x.Shape()
	}
	ax, _, err := concatShape(axis, shapes)
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		if x.Dtype() != xs[0].Dtype() {
			return nil, errors.Errorf("concat: dtypes differ (%v and %v)", xs[0].Dtype(), x.Dtype())
		}
	}
	if err := checkFloat("concat", xs[0].Dtype()); err != nil {
		return nil, err
	}
	dims := shapes[0].Dims()
	op := concatOp{opBase{name: fmt.Sprintf("concat(%d,%d,%d)", ax, dims, len(xs)), arity: len(xs)}, ax, dims}
	n, err = G.ApplyOp(op, xs...)
	return n, errors.Wrap(err, "concat")
}

// normAxis maps axis (negative counts from the end) into [0, dims).
func normAxis(axis, dims int) (int, bool) {
	if axis < 0 {
		axis += dims
	}
	return axis, axis >= 0 && axis < dims
}

// concatShape checks shapes for a concatenation along axis and returns the axis in
// [0, rank) and the result's shape.
func concatShape(axis int, shapes []tensor.Shape) (int, tensor.Shape, error) {
	describe := func() string {
		s := make([]string, len(shapes))
		for i, sh := range shapes {
			s[i] = fmt.Sprint(sh)
		}
		return strings.Join(s, ", ")
	}
	dims := shapes[0].Dims()
	ax, ok := normAxis(axis, dims)
	if dims < 1 || !ok {
		return 0, nil, errors.Errorf("concat: axis %d is out of range for shapes %s", axis, describe())
	}
	out := shapes[0].Clone()
	for _, s := range shapes[1:] {
		if s.Dims() != dims {
			return 0, nil, errors.Errorf("concat: ranks differ in shapes %s", describe())
		}
		for i := range s {
			if i != ax && s[i] != out[i] {
				return 0, nil, errors.Errorf("concat: shapes %s differ outside axis %d", describe(), axis)
			}
		}
		out[ax] += s[ax]
	}
	return ax, out, nil
}

func (o concatOp) Type() hm.Type { return o.sameTypeFn() }

func (o concatOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, errors.Errorf("%s: input %d has no shape", o.name, i)
		}
		shapes[i] = s
	}
	if len(shapes) != o.arity {
		return nil, errors.Errorf("%s: expected %d inputs, got %d", o.name, o.arity, len(in))
	}
	_, s, err := concatShape(o.axis, shapes)
	return s, err
}

func (o concatOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o concatOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

func (o concatOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	grads := make(G.Nodes, len(inputs))
	lo := 0
	for i, x := range inputs {
		hi := lo + x.Shape()[o.axis]
		op := sliceAxisOp{opBase{name: fmt.Sprintf("slice_axis(%d,%d,%d,%d)", o.axis, o.dims, lo, hi), arity: 1}, noDiff{}, o.axis, o.dims, lo, hi}
		var err error
		if grads[i], err = G.ApplyOp(op, grad); err != nil {
			return nil, errors.Wrapf(err, "gradient of %s, input %d", o.name, i)
		}
		lo = hi
	}
	return grads, nil
}

func (o concatOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	shapes := make([]tensor.Shape, len(args))
	for i, a := range args {
		if a.Dtype() != args[0].Dtype() {
			return nil, errors.Errorf("%s: dtypes %v and %v differ", o.name, args[0].Dtype(), a.Dtype())
		}
		shapes[i] = a.Shape()
	}
	_, shape, err := concatShape(o.axis, shapes)
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, args[0].Dtype(), shape, args...)
	outer, inner := outerInner(shape, o.axis)
	switch out.Data().(type) {
	case []float32:
		concatKernel[float32](args, out, outer, inner, o.axis)
	case []float64:
		concatKernel[float64](args, out, outer, inner, o.axis)
	default:
		return nil, checkFloat(o.name, out.Dtype())
	}
	return out, nil
}

// outerInner returns the products of the dimensions before and after axis.
func outerInner(s tensor.Shape, axis int) (outer, inner int) {
	outer, inner = 1, 1
	for _, d := range s[:axis] {
		outer *= d
	}
	for _, d := range s[axis+1:] {
		inner *= d
	}
	return outer, inner
}

// concatKernel copies, for each outer index, the block of every input in turn.
func concatKernel[T float](args []*tensor.Dense, out *tensor.Dense, outer, inner, axis int) {
	ys := out.Data().([]T)
	row := out.Shape()[axis] * inner
	off := 0
	for _, a := range args {
		xs := a.Data().([]T)
		blk := a.Shape()[axis] * inner
		for o := 0; o < outer; o++ {
			copy(ys[o*row+off:o*row+off+blk], xs[o*blk:(o+1)*blk])
		}
		off += blk
	}
}

func (o sliceAxisOp) Type() hm.Type { return o.sameTypeFn() }

func (o sliceAxisOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != o.dims || o.lo < 0 || o.hi > s[o.axis] || o.lo >= o.hi {
		return nil, errors.Errorf("%s: cannot slice [%d, %d) of axis %d from shape %v", o.name, o.lo, o.hi, o.axis, s)
	}
	s[o.axis] = o.hi - o.lo
	return s, nil
}

func (o sliceAxisOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o sliceAxisOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
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
	outer, inner := outerInner(x.Shape(), o.axis)
	row, blk, off := x.Shape()[o.axis]*inner, (o.hi-o.lo)*inner, o.lo*inner
	switch xs := x.Data().(type) {
	case []float32:
		sliceKernel(xs, out.Data().([]float32), outer, row, blk, off)
	case []float64:
		sliceKernel(xs, out.Data().([]float64), outer, row, blk, off)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// sliceKernel copies, for each outer index, blk entries at off within x's row.
func sliceKernel[T float](xs, ys []T, outer, row, blk, off int) {
	for o := 0; o < outer; o++ {
		copy(ys[o*blk:(o+1)*blk], xs[o*row+off:o*row+off+blk])
	}
}
