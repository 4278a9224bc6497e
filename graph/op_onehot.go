package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// oneHotOp turns class ids of shape (B) or (B, 1), stored as floats, into one-hot
// rows of shape (B, K). It is not differentiable (labels are data).
type oneHotOp struct {
	opBase
	noDiff
	classes, dims int
}

// OneHot returns the one-hot encoding (B, classes) of the integer class ids held in
// labels, of shape (B) or (B, 1). An id that is not an integer in [0, classes) makes
// the run fail with an error naming the row and the value.
func OneHot(labels *G.Node, classes int) (n *G.Node, err error) {
	defer recoverOp(&err, "one-hot")
	s := labels.Shape()
	if classes < 1 || s.Dims() < 1 || s.Dims() > 2 || (s.Dims() == 2 && s[1] != 1) {
		return nil, errors.Errorf("one-hot: labels of shape %v (want (batch) or (batch, 1)) and %d classes", s, classes)
	}
	op := oneHotOp{opBase{name: fmt.Sprintf("one_hot(%d,%d)", classes, s.Dims()), arity: 1}, noDiff{}, classes, s.Dims()}
	n, err = G.ApplyOp(op, labels)
	return n, errors.Wrap(err, "one-hot")
}

func (o oneHotOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: a}, G.TensorType{Dims: 2, Of: a})
}

func (o oneHotOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], o.classes}, nil
}

func (o oneHotOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o oneHotOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	rows := x.Shape().TotalSize()
	out := outputLike(prealloc, x.Dtype(), tensor.Shape{rows, o.classes})
	switch xs := x.Data().(type) {
	case []float32:
		ys := out.Data().([]float32)
		for i := range ys {
			ys[i] = 0
		}
		for r, v := range xs {
			c, err := classID(r, float64(v), o.classes)
			if err != nil {
				return nil, err
			}
			ys[r*o.classes+c] = 1
		}
	case []float64:
		ys := out.Data().([]float64)
		for i := range ys {
			ys[i] = 0
		}
		for r, v := range xs {
			c, err := classID(r, v, o.classes)
			if err != nil {
				return nil, err
			}
			ys[r*o.classes+c] = 1
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// classID checks that v is an integer class id in [0, classes).
func classID(row int, v float64, classes int) (int, error) {
	if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
		return 0, errors.Errorf("label %v in row %d is not a class id in [0, %d)", v, row, classes)
	}
	return int(v), nil
}
