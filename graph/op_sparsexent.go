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
	res := make([]float64, shape.TotalSize())
	if count > 0 {
		xs := float64s(x)
		inv := 1 / float64(count)
		for i := 0; i < n; i++ {
			if !valid[i] {
				continue
			}
			row, c := xs[i*k:(i+1)*k], int(t[i])
			if o.grad {
				o.rowGrad(row, c, up[i]*inv, res[i*k:(i+1)*k])
			} else {
				res[i] = o.rowLoss(row, c) * inv
			}
		}
	}
	out := freshOutput(prealloc, x.Dtype(), shape, args...)
	switch d := out.Data().(type) {
	case []float64:
		copy(d, res)
	case []float32:
		for i, r := range res {
			d[i] = float32(r)
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// rowLoss is -log softmax(row)[c] for logits, -log clip(row[c]) for probabilities.
func (o sparseXentOp) rowLoss(row []float64, c int) float64 {
	if o.probs {
		return -math.Log(math.Max(Epsilon, math.Min(1-Epsilon, row[c])))
	}
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s) - row[c]
}

// rowGrad writes scale·d(rowLoss)/d(row) into dst.
func (o sparseXentOp) rowGrad(row []float64, c int, scale float64, dst []float64) {
	if o.probs {
		if p := row[c]; p > Epsilon && p < 1-Epsilon {
			dst[c] = -scale / p
		}
		return
	}
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	var s float64
	for j, v := range row {
		dst[j] = math.Exp(v - m)
		s += dst[j]
	}
	for j := range dst {
		dst[j] *= scale / s
	}
	dst[c] -= scale
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
