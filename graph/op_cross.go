package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossBin returns the bin among bins (bins >= 1; 0 for bins < 1) of the
// combination of values (a feature cross, Keras' HashedCrossing): FNV-1a (64 bits)
// over every value in order, each written as its byte length (8 bytes, little
// endian) followed by its bytes, modulo bins. The length prefix makes the joining
// unambiguous: ("ab", "c") and ("a", "bc") are different crosses, whatever bytes the
// values hold. The order of the values matters. Integers are crossed by their
// decimal text. The bins are the same on every machine and run; Keras hashes
// "a_X_b" with FarmHash, so its bin numbers differ.
func CrossBin(values []string, bins int) int64 {
	if bins < 1 {
		return 0
	}
	h := fnvOffset64
	for _, v := range values {
		h = fnvUint64(h, uint64(len(v)))
		h = fnvString(h, v)
	}
	return int64(h % uint64(bins))
}

// crossOp maps k String or integer tensors of one shape (B, ...) to the Int64 bins
// of their element-wise crosses, of the same shape.
type crossOp struct {
	opBase
	noDiff
	bins int
	dims int
	in   []tensor.Dtype
}

// HashCross returns the Int64 bins, in [0, bins), of the element-wise crosses of
// xs: two or more String, Int32, Int64 or Int tensors of one shape (B, ...), whose
// dtypes may differ (a String column crossed with integer ids). The i-th output
// value is CrossBin of the i-th values of xs, in the order of xs. It is not
// differentiable.
func HashCross(xs []*G.Node, bins int) (n *G.Node, err error) {
	defer recoverOp(&err, "hash cross")
	if len(xs) < 2 {
		return nil, errors.Errorf("hash cross: %d inputs (want at least 2)", len(xs))
	}
	if bins < 1 {
		return nil, errors.Errorf("hash cross: %d bins (want at least 1)", bins)
	}
	var shape tensor.Shape
	in := make([]tensor.Dtype, len(xs))
	for i, x := range xs {
		if x == nil {
			return nil, errors.Errorf("hash cross: input %d is nil", i)
		}
		dt := x.Dtype()
		if dt != tensor.String && checkInt("hash cross", dt) != nil {
			return nil, errors.Errorf("hash cross: input %d has dtype %v (want string, int32, int64 or int)", i, dt)
		}
		in[i] = dt
		s := x.Shape()
		if i == 0 {
			shape = s
			if s.Dims() < 1 {
				return nil, errors.Errorf("hash cross: input shape %v must have a batch axis", s)
			}
		} else if !s.Eq(shape) {
			return nil, errors.Errorf("hash cross: input %d has shape %v, input 0 %v (want one shape)", i, s, shape)
		}
	}
	op := crossOp{opBase{name: fmt.Sprintf("hash_cross(%d,%v,%d)", bins, in, shape.Dims()), arity: len(xs)}, noDiff{}, bins, shape.Dims(), in}
	n, err = G.ApplyOp(op, xs...)
	return n, errors.Wrap(err, "hash cross")
}

func (o crossOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(o.in)+1)
	for _, dt := range o.in {
		ts = append(ts, G.TensorType{Dims: o.dims, Of: dt})
	}
	return hm.NewFnType(append(ts, G.TensorType{Dims: o.dims, Of: tensor.Int64})...)
}

func (o crossOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	for i, d := range in[1:] {
		t, ok := d.(tensor.Shape)
		if !ok || !t.Eq(s) {
			return nil, errors.Errorf("%s: input %d has shape %v, input 0 %v", o.name, i+1, d, s)
		}
	}
	return s, nil
}

func (o crossOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o crossOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	shape := args[0].Shape()
	texts := make([]func(int) string, len(args))
	for k, x := range args {
		if !x.Shape().Eq(shape) {
			return nil, errors.Errorf("%s: input %d has shape %v, input 0 %v", o.name, k, x.Shape(), shape)
		}
		if texts[k], err = valueText(o.name, x); err != nil {
			return nil, err
		}
	}
	out := outputLike(prealloc, tensor.Int64, shape)
	if shape.TotalSize() == 0 { // tensor's Data panics on an empty tensor
		return out, nil
	}
	bins := out.Data().([]int64)
	vals := make([]string, len(args))
	for i := range bins {
		for k, text := range texts {
			vals[k] = text(i)
		}
		bins[i] = CrossBin(vals, o.bins)
	}
	return out, nil
}
