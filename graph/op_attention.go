package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops of multi-head attention: moving heads between the feature axis and the
// batch axis, and the masked softmax over the keys.

// headsOp moves heads between the last axis and the batch axis: split reads x
// (B, T, H·D) and writes (B·H, T, D), example-major (row b·H+h is head h of
// example b); merge is its inverse. The gradient of one is the other.
type headsOp struct {
	opBase
	split      bool
	b, t, h, d int
}

func newHeadsOp(split bool, b, t, h, d int) headsOp {
	kind := "merge_heads"
	if split {
		kind = "split_heads"
	}
	return headsOp{opBase{name: fmt.Sprintf("%s(%d,%d,%d,%d)", kind, b, t, h, d), arity: 1}, split, b, t, h, d}
}

// SplitHeads reshapes x (B, T, heads·D) to (B·heads, T, D): row b·heads+h holds
// head h of example b (the features h·D .. h·D+D-1 of every step).
func SplitHeads(x *G.Node, heads int) (n *G.Node, err error) {
	defer recoverOp(&err, "split_heads")
	s := x.Shape()
	if s.Dims() != 3 || heads <= 0 || s[2]%heads != 0 {
		return nil, errors.Errorf("split_heads: input %v cannot be split into %d heads (want rank 3, last axis a multiple of the heads)", s, heads)
	}
	if err := checkFloat("split_heads", x.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(newHeadsOp(true, s[0], s[1], heads, s[2]/heads), x)
	return n, errors.Wrap(err, "split_heads")
}

// MergeHeads is the inverse of SplitHeads: x (B·heads, T, D) to (B, T, heads·D).
func MergeHeads(x *G.Node, heads int) (n *G.Node, err error) {
	defer recoverOp(&err, "merge_heads")
	s := x.Shape()
	if s.Dims() != 3 || heads <= 0 || s[0]%heads != 0 {
		return nil, errors.Errorf("merge_heads: input %v does not hold %d heads per example (want rank 3, first axis a multiple of the heads)", s, heads)
	}
	if err := checkFloat("merge_heads", x.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(newHeadsOp(false, s[0]/heads, s[1], heads, s[2]), x)
	return n, errors.Wrap(err, "merge_heads")
}

func (o headsOp) shapes() (in, out tensor.Shape) {
	a, b := tensor.Shape{o.b, o.t, o.h * o.d}, tensor.Shape{o.b * o.h, o.t, o.d}
	if o.split {
		return a, b
	}
	return b, a
}

func (o headsOp) Type() hm.Type { return o.sameTypeFn() }
func (o headsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	want, out := o.shapes()
	if !s.Eq(want) {
		return nil, errors.Errorf("%s: input shape %v, want %v", o.name, s, want)
	}
	return out, nil
}
func (o headsOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o headsOp) DiffWRT(int) []bool                { return []bool{true} }

func (o headsOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(newHeadsOp(!o.split, o.b, o.t, o.h, o.d), grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o headsOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	want, shape := o.shapes()
	if x.Shape().TotalSize() != want.TotalSize() {
		return nil, errors.Errorf("%s: input %v, want %v", o.name, x.Shape(), want)
	}
	out := freshOutput(prealloc, x.Dtype(), shape, x)
	switch xs := x.Data().(type) {
	case []float32:
		headsKernel(o, xs, out.Data().([]float32))
	case []float64:
		headsKernel(o, xs, out.Data().([]float64))
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// headsKernel moves the d contiguous features of each (example, head, step)
// between the merged layout (B, T, H·D) and the split layout (B·H, T, D): split
// reads merged xs and writes split ys, merge the reverse.
func headsKernel[T float](o headsOp, xs, ys []T) {
	d := o.d
	for b := 0; b < o.b; b++ {
		for h := 0; h < o.h; h++ {
			for t := 0; t < o.t; t++ {
				sp := ((b*o.h+h)*o.t + t) * d // split layout
				mg := (b*o.t+t)*o.h*d + h*d   // merged layout
				if o.split {
					copy(ys[sp:sp+d], xs[mg:mg+d])
				} else {
					copy(ys[mg:mg+d], xs[sp:sp+d])
				}
			}
		}
	}
}

// AttentionMaskNegative is what MaskedSoftmax adds to the score of a masked key
// before the softmax (Keras' large negative number for float32).
const AttentionMaskNegative = -1e9

// maskedSoftmaxOp is the softmax over the keys of attention scores (B·H, Tq, Tv)
// with optional query and key masks and a causal mask; see MaskedSoftmax.
type maskedSoftmaxOp struct {
	opBase
	heads        int
	causal       bool
	qMask, kMask bool
}

// MaskedSoftmax is Keras' masked softmax of multi-head attention: scores
// (B·heads, Tq, Tv) (row b·heads+h is head h of example b, as SplitHeads lays
// them out), and a keep mask M[b, i, j] = qMask[b, i] · kMask[b, j] · (causal:
// j <= i), each factor 1 where not given. The result is softmax(s + (1-M)·(-1e9))
// · M over the last axis: masked keys get no weight, and a query step whose keys
// are all masked (or a masked query step) gets weights of zero. qMask (B, Tq)
// and kMask (B, Tv) hold 1 (keep) and 0 (mask) in the scores' dtype, and may be
// nil. No gradient flows to the masks.
func MaskedSoftmax(scores, qMask, kMask *G.Node, heads int, causal bool) (n *G.Node, err error) {
	defer recoverOp(&err, "masked_softmax")
	s := scores.Shape()
	if s.Dims() != 3 || heads <= 0 || s[0]%heads != 0 {
		return nil, errors.Errorf("masked_softmax: scores %v do not hold %d heads per example", s, heads)
	}
	if err := checkFloat("masked_softmax", scores.Dtype()); err != nil {
		return nil, err
	}
	b := s[0] / heads
	in := []*G.Node{scores}
	for _, m := range []struct {
		n    *G.Node
		want tensor.Shape
	}{{qMask, tensor.Shape{b, s[1]}}, {kMask, tensor.Shape{b, s[2]}}} {
		if m.n == nil {
			continue
		}
		if !m.n.Shape().Eq(m.want) || m.n.Dtype() != scores.Dtype() {
			return nil, errors.Errorf("masked_softmax: mask %v %v, want %v %v", m.n.Shape(), m.n.Dtype(), m.want, scores.Dtype())
		}
		in = append(in, m.n)
	}
	o := maskedSoftmaxOp{opBase{arity: len(in)}, heads, causal, qMask != nil, kMask != nil}
	o.name = fmt.Sprintf("masked_softmax(%d,%v,%v,%v)", heads, causal, o.qMask, o.kMask)
	n, err = G.ApplyOp(o, in...)
	return n, errors.Wrap(err, "masked_softmax")
}

func (o maskedSoftmaxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := []hm.Type{G.TensorType{Dims: 3, Of: a}}
	for i := 1; i < o.arity; i++ {
		ts = append(ts, G.TensorType{Dims: 2, Of: a})
	}
	return hm.NewFnType(append(ts, G.TensorType{Dims: 3, Of: a})...)
}
func (o maskedSoftmaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return o.firstShape(in...)
}
func (o maskedSoftmaxOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o maskedSoftmaxOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	out[0] = true
	return out
}

// SymDiff: with y = M·p, p = softmax(s + (1-M)·(-1e9)), dL/ds = y·(g - Σ g·y)
// over each row: a masked key of a row with some key kept has p = 0 (exactly, in
// floating point), and a row with every key masked has y = 0; so the gradient is
// the plain softmax gradient taken at y.
func (o maskedSoftmaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(newRowOp(rowSoftmaxGrad), output, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	out := make(G.Nodes, len(inputs))
	out[0] = n
	return out, nil
}

func (o maskedSoftmaxOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	s := x.Shape()
	if s.Dims() != 3 || s[0]%o.heads != 0 {
		return nil, errors.Errorf("%s: scores %v", o.name, s)
	}
	bh, tq, tv := s[0], s[1], s[2]
	var masks [2]*tensor.Dense // query mask, key mask
	i := 1
	if o.qMask {
		masks[0] = args[i]
		i++
	}
	if o.kMask {
		masks[1] = args[i]
	}
	if (masks[0] != nil && masks[0].Shape().TotalSize() != bh/o.heads*tq) ||
		(masks[1] != nil && masks[1].Shape().TotalSize() != bh/o.heads*tv) {
		return nil, errors.Errorf("%s: masks do not fit scores %v", o.name, s)
	}
	out := freshOutput(prealloc, x.Dtype(), s.Clone(), args...)
	switch xs := x.Data().(type) {
	case []float32:
		err = maskedSoftmaxKernel(o, xs, out.Data().([]float32), masks, bh, tq, tv)
	case []float64:
		err = maskedSoftmaxKernel(o, xs, out.Data().([]float64), masks, bh, tq, tv)
	default:
		err = checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maskedSoftmaxKernel writes into ys the masked softmax of the scores xs (bh, tq,
// tv), with sums and exponentials in float64. A masked key contributes nothing
// and gets weight 0 (as exp(s - 1e9 - max) underflows to exactly 0 in the
// definition), and a row with every key masked is all zeros; so only the kept
// keys of each row are visited, and the causal mask costs no exponentials.
func maskedSoftmaxKernel[T float](o maskedSoftmaxOp, xs, ys []T, masks [2]*tensor.Dense, bh, tq, tv int) error {
	var qm, km []T
	for i, m := range masks {
		if m == nil {
			continue
		}
		v, ok := m.Data().([]T)
		if !ok {
			return errors.Errorf("%s: mask dtype %v differs from the scores'", o.name, m.Dtype())
		}
		if i == 0 {
			qm = v
		} else {
			km = v
		}
	}
	e := make([]float64, tv)
	for r := 0; r < bh; r++ {
		b := r / o.heads
		var krow []T
		if km != nil {
			krow = km[b*tv : (b+1)*tv]
		}
		for q := 0; q < tq; q++ {
			row := xs[(r*tq+q)*tv : (r*tq+q+1)*tv]
			y := ys[(r*tq+q)*tv : (r*tq+q+1)*tv]
			n := tv // keys j < n may be kept
			if o.causal && q+1 < n {
				n = q + 1
			}
			if qm != nil && qm[b*tq+q] == 0 {
				n = 0
			}
			mx, kept := math.Inf(-1), false
			for j := 0; j < n; j++ {
				if krow != nil && krow[j] == 0 {
					continue
				}
				kept = true
				if v := float64(row[j]); v > mx {
					mx = v
				}
			}
			if !kept {
				clear(y)
				continue
			}
			sum := 0.0
			for j := 0; j < n; j++ {
				e[j] = 0
				if krow != nil && krow[j] == 0 {
					continue
				}
				e[j] = math.Exp(float64(row[j]) - mx)
				sum += e[j]
			}
			for j := 0; j < n; j++ {
				y[j] = T(e[j] / sum)
			}
			clear(y[n:])
		}
	}
	return nil
}
