package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fmOp is the second-order term of a factorization machine over field vectors x of
// shape (B, F, K): per example and dimension k, 0.5·((Σ_f x)² - Σ_f x²), summed
// over k into (B, 1) or, with keep, left as (B, K). One pass over x: O(F·K) per
// example, not O(F²·K). Its gradient is fmGradOp. (Gorgonia's Sum over several axes
// has a wrong gradient; this op reduces both axes itself.)
type fmOp struct {
	opBase
	keep bool
}

// fmGradOp is the gradient of fmOp: inputs (x (B, F, K), upstream (B, 1) or
// (B, K)), output dx[b, f, k] = g[b, ·] · (Σ_f' x[b, f', k] - x[b, f, k]). It is
// not differentiable.
type fmGradOp struct {
	opBase
	noDiff
	keep bool
}

// FMInteraction is the pairwise interaction term of a factorization machine
// (Rendle 2010; DeepFM's FM component): x of shape (B, F, K), F field vectors of
// K values per example (float32 or float64), gives
//
//	Σ_{i<j} <x_i, x_j> = 0.5 · Σ_k [(Σ_f x_fk)² - Σ_f x_fk²]
//
// of shape (B, 1), computed in O(F·K). With keepDims the sum over k is left out:
// (B, K), the bi-interaction pooling of NFM. Sums accumulate in float64.
func FMInteraction(x *G.Node, keepDims bool) (n *G.Node, err error) {
	defer recoverOp(&err, "fm")
	s := x.Shape()
	if s.Dims() != 3 || s.TotalSize() == 0 {
		return nil, notFields("fm", s)
	}
	if err := checkFloat("fm", x.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(fmOp{opBase{name: fmt.Sprintf("fm(keep=%v)", keepDims), arity: 1}, keepDims}, x)
	return n, errors.Wrap(err, "fm")
}

// fmOutShape is the output shape of fmOp for x of shape s (B, F, K).
func fmOutShape(s tensor.Shape, keep bool) tensor.Shape {
	if keep {
		return tensor.Shape{s[0], s[2]}
	}
	return tensor.Shape{s[0], 1}
}

func (o fmOp) Type() hm.Type { return fieldsType() }

func (o fmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.fieldsShape(in...)
	if err != nil {
		return nil, err
	}
	return fmOutShape(s, o.keep), nil
}

func (o fmOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o fmOp) DiffWRT(int) []bool                { return []bool{true} }

func (o fmOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := fmGradOp{opBase{name: fmt.Sprintf("fm_grad(keep=%v)", o.keep), arity: 2}, noDiff{}, o.keep}
	n, err := G.ApplyOp(op, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o fmOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	x, err := fieldsArg(o.name, in)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out := outputLike(prealloc, x.Dtype(), fmOutShape(s, o.keep))
	switch xs := x.Data().(type) {
	case []float32:
		fmForward(xs, out.Data().([]float32), s[0], s[1], s[2], o.keep)
	case []float64:
		fmForward(xs, out.Data().([]float64), s[0], s[1], s[2], o.keep)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

func (o fmGradOp) Type() hm.Type                                     { return fieldsGradType() }
func (o fmGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o fmGradOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o fmGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	x, g, err := fieldsGradArgs(o.name, in, func(s tensor.Shape) tensor.Shape { return fmOutShape(s, o.keep) })
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out := outputLike(prealloc, x.Dtype(), s)
	switch xs := x.Data().(type) {
	case []float32:
		fmBackward(xs, g.Data().([]float32), out.Data().([]float32), s[0], s[1], s[2], o.keep)
	case []float64:
		fmBackward(xs, g.Data().([]float64), out.Data().([]float64), s[0], s[1], s[2], o.keep)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// fmForward writes 0.5·((Σ_f x)² - Σ_f x²) per example and dimension into out, of
// (B, K) with keep, summed over k into (B, 1) otherwise.
func fmForward[T float](x, out []T, b, f, k int, keep bool) {
	sum := make([]float64, k)
	sq := make([]float64, k)
	for e := 0; e < b; e++ {
		clear(sum)
		clear(sq)
		xe := x[e*f*k : (e+1)*f*k]
		for i := 0; i < f; i++ {
			row := xe[i*k : (i+1)*k]
			for j, v := range row {
				w := float64(v)
				sum[j] += w
				sq[j] += w * w
			}
		}
		if keep {
			oe := out[e*k : (e+1)*k]
			for j := range oe {
				oe[j] = T(0.5 * (sum[j]*sum[j] - sq[j]))
			}
			continue
		}
		var tot float64
		for j := range sum {
			tot += sum[j]*sum[j] - sq[j]
		}
		out[e] = T(0.5 * tot)
	}
}

// fmBackward writes dx[e, i, j] = g[e, j or 0] · (Σ_f x[e, f, j] - x[e, i, j]).
func fmBackward[T float](x, g, dx []T, b, f, k int, keep bool) {
	sum := make([]float64, k)
	for e := 0; e < b; e++ {
		clear(sum)
		xe, de := x[e*f*k:(e+1)*f*k], dx[e*f*k:(e+1)*f*k]
		for i := 0; i < f; i++ {
			for j, v := range xe[i*k : (i+1)*k] {
				sum[j] += float64(v)
			}
		}
		for i := 0; i < f; i++ {
			for j := 0; j < k; j++ {
				up := float64(g[e])
				if keep {
					up = float64(g[e*k+j])
				}
				de[i*k+j] = T(up * (sum[j] - float64(xe[i*k+j])))
			}
		}
	}
}
