package interop

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
)

// Layout says how a source tensor's values are laid out relative to the gokeras
// weight they fill (WithTensor).
type Layout int

const (
	// AsIs copies the values in their order; the shapes must be equal.
	AsIs Layout = iota
	// Transpose turns a matrix (a, b) into (b, a): nn.Linear's weight (out, in)
	// into Dense's kernel (in, out).
	Transpose
	// ConvKernel1D turns nn.Conv1d's weight (out, in, k) into Conv1D's kernel
	// (k, in, out).
	ConvKernel1D
	// ConvKernel2D turns nn.Conv2d's weight (out, in, kh, kw) into Conv2D's
	// kernel (kh, kw, in, out) (channels last).
	ConvKernel2D
)

// String names the layout as Plan prints it: "as is", "transposed",
// "conv1d (out,in,k)→(k,in,out)", "conv2d (out,in,kh,kw)→(kh,kw,in,out)".
func (l Layout) String() string {
	switch l {
	case AsIs:
		return "as is"
	case Transpose:
		return "transposed"
	case ConvKernel1D:
		return "conv1d (out,in,k)→(k,in,out)"
	case ConvKernel2D:
		return "conv2d (out,in,kh,kw)→(kh,kw,in,out)"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ConvertFunc makes a gokeras weight's values from source tensors (WithConverter):
// it returns a tensor whose Shape must equal the weight's shape and whose Data
// holds the values row-major. It must not modify src.
type ConvertFunc func(src []*Tensor) (*Tensor, error)

// conversion is how an assignment's value is made from its sources.
type conversion struct {
	desc string // what Plan prints: "transposed", "sum", ...
	fn   func(src []*Tensor) (*Tensor, error)
}

// layoutConversion returns the conversion of one tensor by l.
func layoutConversion(l Layout) (conversion, error) {
	var fn func(*Tensor) (*Tensor, error)
	switch l {
	case AsIs:
		fn = func(t *Tensor) (*Tensor, error) { return t, nil }
	case Transpose:
		fn = transpose2
	case ConvKernel1D:
		fn = kernel1D
	case ConvKernel2D:
		fn = kernel2D
	default:
		return conversion{}, errors.Errorf("unknown layout %d", int(l))
	}
	return conversion{desc: l.String(), fn: func(src []*Tensor) (*Tensor, error) {
		if len(src) != 1 {
			return nil, errors.Errorf("layout %s takes one tensor, got %d", l, len(src))
		}
		return fn(src[0])
	}}, nil
}

// fmtShape prints a shape as "(784, 256)" ("(64)" for a vector, "()" for a scalar).
func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// kernel1D turns nn.Conv1d's weight (out, in, k) into Conv1D's kernel (k, in, out).
func kernel1D(t *Tensor) (*Tensor, error) {
	return permuteAxes(t, []int{2, 1, 0}, "conv1d weight (out, in, k)")
}

// kernel2D turns nn.Conv2d's weight (out, in, kh, kw) into Conv2D's kernel
// (kh, kw, in, out).
func kernel2D(t *Tensor) (*Tensor, error) {
	return permuteAxes(t, []int{2, 3, 1, 0}, "conv2d weight (out, in, kh, kw)")
}

// transpose2 turns a matrix (a, b) into (b, a).
func transpose2(t *Tensor) (*Tensor, error) {
	return permuteAxes(t, []int{1, 0}, "matrix")
}

// permuteAxes returns t with its axes in the order perm (out axis i is t's axis
// perm[i]), as numpy's transpose(perm). what names the expected layout in errors.
func permuteAxes(t *Tensor, perm []int, what string) (*Tensor, error) {
	if len(t.Shape) != len(perm) {
		return nil, errors.Errorf("tensor %q of shape %s is not a rank-%d %s", t.Name, fmtShape(t.Shape), len(perm), what)
	}
	n := len(perm)
	shape := make([]int, n)
	for i, p := range perm {
		shape[i] = t.Shape[p]
	}
	// strides of the source, read in the output's axis order
	src := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		src[i] = s
		s *= t.Shape[i]
	}
	step := make([]int, n)
	for i, p := range perm {
		step[i] = src[p]
	}
	out := make([]float64, len(t.Data))
	idx := make([]int, n)
	off := 0
	for k := range out {
		out[k] = t.Data[off]
		for a := n - 1; a >= 0; a-- {
			idx[a]++
			off += step[a]
			if idx[a] < shape[a] {
				break
			}
			off -= step[a] * shape[a]
			idx[a] = 0
		}
	}
	return &Tensor{Name: t.Name, DType: t.DType, Shape: shape, Data: out}, nil
}

// permuteBlocks reorders the first axis of t, which holds len(order) blocks of
// equal size: out block i is t's block order[i] (a recurrent weight's gates).
func permuteBlocks(t *Tensor, order []int) (*Tensor, error) {
	if len(t.Shape) == 0 || t.Shape[0]%len(order) != 0 {
		return nil, errors.Errorf("tensor %q of shape %s: the first axis does not hold %d gate blocks", t.Name, fmtShape(t.Shape), len(order))
	}
	rows := t.Shape[0] / len(order)
	block := rows * (len(t.Data) / max(t.Shape[0], 1))
	out := make([]float64, 0, len(t.Data))
	for _, b := range order {
		out = append(out, t.Data[b*block:(b+1)*block]...)
	}
	return &Tensor{Name: t.Name, DType: t.DType, Shape: append([]int(nil), t.Shape...), Data: out}, nil
}

// sumTensors adds tensors of one shape.
func sumTensors(a, b *Tensor) (*Tensor, error) {
	if !sameShape(a.Shape, b.Shape) {
		return nil, errors.Errorf("tensors %q %s and %q %s cannot be added: shapes differ", a.Name, fmtShape(a.Shape), b.Name, fmtShape(b.Shape))
	}
	out := make([]float64, len(a.Data))
	for i := range out {
		out[i] = a.Data[i] + b.Data[i]
	}
	return &Tensor{Name: a.Name + "+" + b.Name, DType: a.DType, Shape: append([]int(nil), a.Shape...), Data: out}, nil
}

// stackTensors stacks tensors of one shape along a new first axis.
func stackTensors(ts ...*Tensor) (*Tensor, error) {
	var out []float64
	names := make([]string, len(ts))
	for i, t := range ts {
		if !sameShape(t.Shape, ts[0].Shape) {
			return nil, errors.Errorf("tensors %q %s and %q %s cannot be stacked: shapes differ", ts[0].Name, fmtShape(ts[0].Shape), t.Name, fmtShape(t.Shape))
		}
		out = append(out, t.Data...)
		names[i] = t.Name
	}
	return &Tensor{Name: strings.Join(names, ","), DType: ts[0].DType, Shape: append([]int{len(ts)}, ts[0].Shape...), Data: out}, nil
}

// rowBlock returns rows [i·n, (i+1)·n) of t's first axis.
func rowBlock(t *Tensor, i, n int) (*Tensor, error) {
	if len(t.Shape) == 0 || t.Shape[0] == 0 || n <= 0 || t.Shape[0] < (i+1)*n {
		return nil, errors.Errorf("tensor %q of shape %s has no rows [%d, %d)", t.Name, fmtShape(t.Shape), i*n, (i+1)*n)
	}
	per := len(t.Data) / t.Shape[0]
	shape := append([]int{n}, t.Shape[1:]...)
	return &Tensor{Name: t.Name, DType: t.DType, Shape: shape, Data: append([]float64(nil), t.Data[i*n*per:(i+1)*n*per]...)}, nil
}

// reshaped returns t with another shape of the same size.
func reshaped(t *Tensor, shape ...int) (*Tensor, error) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(t.Data) {
		return nil, errors.Errorf("tensor %q of shape %s (%d values) cannot be reshaped to %s", t.Name, fmtShape(t.Shape), len(t.Data), fmtShape(shape))
	}
	return &Tensor{Name: t.Name, DType: t.DType, Shape: shape, Data: t.Data}, nil
}

// one makes a conversion of a single tensor.
func one(desc string, fn func(*Tensor) (*Tensor, error)) conversion {
	return conversion{desc: desc, fn: func(src []*Tensor) (*Tensor, error) {
		if len(src) != 1 {
			return nil, errors.Errorf("%s takes one tensor, got %d", desc, len(src))
		}
		return fn(src[0])
	}}
}

var (
	convAsIs      = one("as is", func(t *Tensor) (*Tensor, error) { return t, nil })
	convTranspose = one(Transpose.String(), transpose2)
	convKernel1D  = one(ConvKernel1D.String(), kernel1D)
	convKernel2D  = one(ConvKernel2D.String(), kernel2D)
)
