package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// notZeroOp is 1 where its input is not 0 and 0 elsewhere, in a float dtype of its
// own. It is not differentiable.
type notZeroOp struct {
	opBase
	noDiff
	dims int
	dt   tensor.Dtype
}

// NotEqualZero returns 1 where ids != 0 and 0 elsewhere, with the shape of ids and
// the float dtype dt (Float32 or Float64): the mask of Keras' Embedding with
// mask_zero. ids may be Int, Int32, Int64, Float32 or Float64, of any shape with at
// least one axis. It has no gradient.
func NotEqualZero(ids *G.Node, dt tensor.Dtype) (n *G.Node, err error) {
	defer recoverOp(&err, "not_equal_zero")
	if err := checkFloat("not_equal_zero", dt); err != nil {
		return nil, err
	}
	if checkInt("", ids.Dtype()) != nil && checkFloat("", ids.Dtype()) != nil {
		return nil, errors.Errorf("not_equal_zero: ids dtype %v is not an int or float dtype", ids.Dtype())
	}
	if ids.Dims() < 1 {
		return nil, errors.Errorf("not_equal_zero: ids shape %v must have at least one axis", ids.Shape())
	}
	op := notZeroOp{opBase{name: fmt.Sprintf("not_equal_zero(%d,%v)", ids.Dims(), dt), arity: 1}, noDiff{}, ids.Dims(), dt}
	n, err = G.ApplyOp(op, ids)
	return n, errors.Wrap(err, "not_equal_zero")
}

func (o notZeroOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')}, G.TensorType{Dims: o.dims, Of: o.dt})
}

func (o notZeroOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o notZeroOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o notZeroOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	out := outputLike(prealloc, o.dt, x.Shape())
	switch ys := out.Data().(type) {
	case []float32:
		err = notZero(x, ys)
	case []float64:
		err = notZero(x, ys)
	default:
		err = checkFloat(o.name, o.dt)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notZero writes 1 to y where x is not 0 and 0 elsewhere.
func notZero[T float](x *tensor.Dense, y []T) error {
	switch xs := x.Data().(type) {
	case []int:
		notZeroOf(xs, y)
	case []int32:
		notZeroOf(xs, y)
	case []int64:
		notZeroOf(xs, y)
	case []float32:
		notZeroOf(xs, y)
	case []float64:
		notZeroOf(xs, y)
	default:
		return errors.Errorf("not_equal_zero: ids dtype %v is not an int or float dtype", x.Dtype())
	}
	return nil
}

func notZeroOf[I idInt | float, T float](x []I, y []T) {
	for i, v := range x {
		if v != 0 {
			y[i] = 1
		} else {
			y[i] = 0
		}
	}
}
