package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// padOp adds rows and columns of zeros around NHWC images, or (crop) removes them;
// each is the other's gradient. pad is (top, bottom, left, right).
type padOp struct {
	opBase
	pad  [4]int
	crop bool
}

func newPadOp(pad [4]int, crop bool) padOp {
	name := "zero_pad2d"
	if crop {
		name = "crop2d"
	}
	return padOp{opBase{name: name + fmt.Sprint(pad), arity: 1}, pad, crop}
}

// ZeroPad2D adds top and bottom rows and left and right columns of zeros to x,
// shape (batch, height, width, channels), giving (batch, top+height+bottom,
// left+width+right, channels). Every amount must be >= 0.
func ZeroPad2D(x *G.Node, top, bottom, left, right int) (n *G.Node, err error) {
	op := newPadOp([4]int{top, bottom, left, right}, false)
	defer recoverOp(&err, op.name)
	if _, err := op.outShape(x.Shape()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, op.name)
}

func (o padOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	if s.Dims() != 4 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, height, width, channels)", o.name, s)
	}
	dh, dw := o.pad[0]+o.pad[1], o.pad[2]+o.pad[3]
	for _, p := range o.pad {
		if p < 0 {
			return nil, errors.Errorf("%s: padding %v must not be negative", o.name, o.pad)
		}
	}
	if o.crop {
		dh, dw = -dh, -dw
	}
	out := tensor.Shape{s[0], s[1] + dh, s[2] + dw, s[3]}
	if out[1] <= 0 || out[2] <= 0 {
		return nil, errors.Errorf("%s: cannot crop %v from input %v", o.name, o.pad, s)
	}
	return out, nil
}

func (o padOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}

func (o padOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return o.outShape(s)
}

func (o padOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o padOp) DiffWRT(int) []bool                { return []bool{true} }

func (o padOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(newPadOp(o.pad, !o.crop), grad)
	return G.Nodes{n}, errors.Wrapf(err, "gradient of %s", o.name)
}

func (o padOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	shape, err := o.outShape(x.Shape())
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, x.Dtype(), shape, x)
	big, small := shape, x.Shape()
	if o.crop {
		big, small = small, big
	}
	switch xs := x.Data().(type) {
	case []float32:
		padCopy(xs, out.Data().([]float32), big, small, o.pad, o.crop)
	case []float64:
		padCopy(xs, out.Data().([]float64), big, small, o.pad, o.crop)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// padCopy copies the small image into the interior of the big one (pad) or the
// interior of the big one into the small one (crop); big's border is zeroed.
func padCopy[T float](src, dst []T, big, small tensor.Shape, pad [4]int, crop bool) {
	if !crop {
		clear(dst)
	}
	row := small[2] * small[3]
	for n := 0; n < small[0]; n++ {
		for y := 0; y < small[1]; y++ {
			s := (n*small[1] + y) * row
			b := ((n*big[1]+y+pad[0])*big[2] + pad[2]) * big[3]
			if crop {
				copy(dst[s:s+row], src[b:b+row])
			} else {
				copy(dst[b:b+row], src[s:s+row])
			}
		}
	}
}
