package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The output modes of CategoryEncode, as Keras' CategoryEncoding names them.
const (
	OneHotMode   = "one_hot"
	MultiHotMode = "multi_hot"
	CountMode    = "count"
)

// categoryOp encodes integer ids as float rows (see CategoryEncode).
type categoryOp struct {
	opBase
	noDiff
	tokens  int
	mode    string
	inDims  int
	in, out tensor.Dtype
	shape   tensor.Shape // of the output
}

// CategoryEncode encodes integer ids (Int32, Int64 or Int) in [0, tokens) as rows
// of dtype dt (float32 or float64), as Keras' CategoryEncoding: with OneHotMode ids
// of shape (B) or (B, 1) give (B, tokens) and ids (B, k) give (B, k, tokens); with
// MultiHotMode (1 at every id present) and CountMode (how many times each id
// occurs), ids (B) or (B, k) give (B, tokens). An id outside [0, tokens) makes the
// run fail with an *IndexError. It is not differentiable.
func CategoryEncode(ids *G.Node, tokens int, mode string, dt tensor.Dtype) (n *G.Node, err error) {
	defer recoverOp(&err, "category encoding")
	if err := checkInt("category encoding: ids", ids.Dtype()); err != nil {
		return nil, err
	}
	if err := checkFloat("category encoding", dt); err != nil {
		return nil, err
	}
	s := ids.Shape()
	if tokens < 1 || s.Dims() < 1 || s.Dims() > 2 {
		return nil, errors.Errorf("category encoding: ids of shape %v (want (batch) or (batch, k)) and %d tokens", s, tokens)
	}
	var out tensor.Shape
	switch mode {
	case OneHotMode:
		if s.Dims() == 2 && s[1] != 1 {
			out = tensor.Shape{s[0], s[1], tokens}
		} else {
			out = tensor.Shape{s[0], tokens}
		}
	case MultiHotMode, CountMode:
		out = tensor.Shape{s[0], tokens}
	default:
		return nil, errors.Errorf("category encoding: mode %q (valid: %s, %s, %s)", mode, OneHotMode, MultiHotMode, CountMode)
	}
	op := categoryOp{opBase{name: fmt.Sprintf("category(%d,%s,%v,%v)", tokens, mode, s, dt), arity: 1}, noDiff{}, tokens, mode, s.Dims(), ids.Dtype(), dt, out}
	n, err = G.ApplyOp(op, ids)
	return n, errors.Wrap(err, "category encoding")
}

func (o categoryOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: o.inDims, Of: o.in}, G.TensorType{Dims: o.shape.Dims(), Of: o.out})
}

func (o categoryOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	out := o.shape.Clone()
	out[0] = s[0]
	return out, nil
}

func (o categoryOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o categoryOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	shape := o.shape.Clone()
	shape[0] = x.Shape()[0]
	ids, err := intValues(o.name, x)
	if err != nil {
		return nil, err
	}
	b := x.Shape()[0]
	per := 1
	if b > 0 {
		per = len(ids) / b
	}
	out := outputLike(prealloc, o.out, shape)
	vals := make([]float64, shape.TotalSize())
	for i, id := range ids {
		if id < 0 || id >= int64(o.tokens) {
			return nil, &IndexError{Row: i / per, Pos: i % per, Value: id, Limit: o.tokens}
		}
		switch {
		case o.mode == OneHotMode:
			vals[i*o.tokens+int(id)] = 1
		case o.mode == MultiHotMode:
			vals[(i/per)*o.tokens+int(id)] = 1
		default:
			vals[(i/per)*o.tokens+int(id)]++
		}
	}
	switch d := out.Data().(type) {
	case []float32:
		for i, v := range vals {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, vals)
	}
	return out, nil
}

// intValues returns the values of an integer tensor as int64.
func intValues(name string, x *tensor.Dense) ([]int64, error) {
	n := x.Shape().TotalSize()
	out := make([]int64, n)
	switch d := x.Data().(type) {
	case []int64:
		copy(out, d[:n])
	case []int32:
		for i, v := range d[:n] {
			out[i] = int64(v)
		}
	case []int:
		for i, v := range d[:n] {
			out[i] = int64(v)
		}
	default:
		return nil, errors.Errorf("%s: ids of dtype %v (want int32, int64 or int)", name, x.Dtype())
	}
	return out, nil
}
