package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sparseXentOp computes the per-row terms of a sparse cross-entropy over rows
// of x (N, K): inputs (x, target (N)[, weight (N)]), output (N) holding
// valid_i·(lse(x_i) - x_i[t_i]) / count (logits) or valid_i·-log(clip(p_i[t_i]))
// / count (probabilities), where row i is valid when t_i >= 0 (and weight_i > 0)
// and count is the number of valid rows (the sum of the output is the mean over
// valid rows, 0 when none is). With grad set it is the gradient with respect to
// x instead: inputs (x, target[, weight], upstream (N)), output (N, K).
type sparseXentOp struct {
	opBase
	probs    bool // x holds probabilities, not logits
	weighted bool
	grad     bool
}

func newSparseXentOp(probs, weighted, grad bool) sparseXentOp {
	arity := 2
	if weighted {
		arity++
	}
	if grad {
		arity++
	}
	name := fmt.Sprintf("sparse_xent(probs=%v,weighted=%v,grad=%v)", probs, weighted, grad)
	return sparseXentOp{opBase{name: name, arity: arity}, probs, weighted, grad}
}

func (o sparseXentOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m, v := G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}
	ts := []hm.Type{m}
	for i := 1; i < o.arity; i++ {
		ts = append(ts, v)
	}
	if o.grad {
		return hm.NewFnType(append(ts, m)...)
	}
	return hm.NewFnType(append(ts, v)...)
}

func (o sparseXentOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != 2 {
		return nil, errors.Errorf("%s: input shape %v, want (rows, classes)", o.name, s)
	}
	if o.grad {
		return s, nil
	}
	return tensor.Shape{s[0]}, nil
}

func (o sparseXentOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o sparseXentOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	out[0] = !o.grad
	return out
}

func (o sparseXentOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	args := append(append(G.Nodes(nil), inputs...), grad)
	n, err := G.ApplyOp(newSparseXentOp(o.probs, o.weighted, true), args...)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	out := make(G.Nodes, len(inputs))
	out[0] = n
	return out, nil
}

func (o sparseXentOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	if err := checkFloat(o.name, x.Dtype()); err != nil {
		return nil, err
	}
	if x.Dims() != 2 {
		return nil, errors.Errorf("%s: input shape %v, want (rows, classes)", o.name, x.Shape())
	}
	n, k := x.Shape()[0], x.Shape()[1]
	vecs := make([][]float64, 0, 3)
	for _, a := range args[1:] {
		if a.Dtype() != x.Dtype() || a.Shape().TotalSize() != n {
			return nil, errors.Errorf("%s: input %v %v, want %v (%d)", o.name, a.Dtype(), a.Shape(), x.Dtype(), n)
		}
		vecs = append(vecs, float64s(a))
	}
	t := vecs[0]
	var w, up []float64
	if o.weighted {
		w = vecs[1]
	}
	if o.grad {
		up = vecs[len(vecs)-1]
	}
	valid := make([]bool, n)
	count := 0
	for i, ti := range t {
		if ti < 0 || (w != nil && !(w[i] > 0)) {
			continue
		}
		if ti != math.Trunc(ti) || ti >= float64(k) {
			return nil, errors.Errorf("sparse_categorical_crossentropy: target %g of row %d is not a class id in [0, %d)", ti, i, k)
		}
		valid[i] = true
		count++
	}
	shape := tensor.Shape{n}
	if o.grad {
		shape = tensor.Shape{n, k}
	}
	out := freshOutput(prealloc, x.Dtype(), shape, args...)
	inv := 0.0
	if count > 0 {
		inv = 1 / float64(count)
	}
	switch d := out.Data().(type) {
	case []float64:
		err = xentRows(o, x.Data().([]float64), d, t, up, valid, k, inv)
	case []float32:
		err = xentRows(o, x.Data().([]float32), d, t, up, valid, k, inv)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

// rowParallelMin is the number of elements from which the row kernels of this
// package split their rows across cores.
const rowParallelMin = 1 << 15

// parallelRows runs fn over the rows [0, n) of a tensor of n·cols elements, split
// across cores by parallelFor when the tensor is large enough, else in one call.
func parallelRows(n, cols int, fn func(worker, lo, hi int) error) error {
	if n*cols < rowParallelMin || n < 2 {
		return safeRange(fn, 0, 0, n)
	}
	return parallelFor(n, fn)
}

// xentRows writes into res the row losses (n) or the gradient (n, k) of the logits
// or probabilities xs (n, k), one row at a time in float64 arithmetic (float32 data
// with exp32 for math.Exp, to float32 precision), with no float64 copy of the tensor
// (a float64 scratch row per worker for the gradient); rows split across cores when
// the tensor is large.
func xentRows[T float32 | float64](o sparseXentOp, xs, res []T, t, up []float64, valid []bool, k int, inv float64) error {
	n := len(t)
	exp := math.Exp
	if _, ok := any(xs).([]float32); ok {
		exp = exp32
	}
	return parallelRows(n, k, func(_, lo, hi int) error {
		var buf []float64
		if o.grad && !o.probs {
			buf = make([]float64, k)
		}
		for i := lo; i < hi; i++ {
			row := xs[i*k : (i+1)*k]
			if !o.grad {
				res[i] = 0
				if valid[i] {
					res[i] = T(rowLossT(o.probs, row, int(t[i]), exp) * inv)
				}
				continue
			}
			dst := res[i*k : (i+1)*k]
			if !valid[i] || o.probs {
				clear(dst) // (a valid row of logits is written whole below)
			}
			if !valid[i] {
				continue
			}
			c, scale := int(t[i]), up[i]*inv
			if o.probs {
				if p := float64(row[c]); p > Epsilon && p < 1-Epsilon {
					dst[c] = T(-scale / p)
				}
				continue
			}
			m := rowMax(row)
			var s float64
			for j, v := range row {
				buf[j] = exp(float64(v) - m)
				s += buf[j]
			}
			for j := range buf {
				buf[j] *= scale / s
			}
			buf[c] -= scale
			for j, v := range buf {
				dst[j] = T(v)
			}
		}
		return nil
	})
}

// rowLossT is -log softmax(row)[c] for logits, -log clip(row[c]) for
// probabilities, computed in float64.
func rowLossT[T float32 | float64](probs bool, row []T, c int, exp func(float64) float64) float64 {
	if probs {
		return -math.Log(math.Max(Epsilon, math.Min(1-Epsilon, float64(row[c]))))
	}
	m := rowMax(row)
	var s float64
	for _, v := range row {
		s += exp(float64(v) - m)
	}
	return m + math.Log(s) - float64(row[c])
}

// float64s returns a float tensor's values as float64s (a copy for float32).
func float64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		return widen(d)
	}
	return nil
}

// rowMax is the largest value of row as float64 (-Inf for an empty row, NaN when
// the row holds one), as a chain of math.Max but without its call per element.
func rowMax[T float32 | float64](row []T) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		if f := float64(v); f > m {
			m = f
		} else if f != f {
			return f
		}
	}
	return m
}
