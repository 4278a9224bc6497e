package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dotInteractionOp gives the dot products of pairs of field vectors: x of shape
// (B, F, K) to (B, P), one column per pair (i, j), i < j (i <= j with self) in
// row-major order of the upper triangle. Its gradient is dotInteractionGradOp.
type dotInteractionOp struct {
	opBase
	self bool
}

// dotInteractionGradOp is the gradient of dotInteractionOp: inputs (x (B, F, K),
// upstream (B, P)), output dx[b, i] = Σ_{pairs (i, j)} g[b, p]·x[b, j] +
// Σ_{pairs (j, i)} g[b, p]·x[b, j] (a self pair counts twice). It is not
// differentiable.
type dotInteractionGradOp struct {
	opBase
	noDiff
	self bool
}

// InteractionPairs is the number of pairs DotInteraction gives for f fields:
// f·(f-1)/2, or f·(f+1)/2 with self-interactions.
func InteractionPairs(f int, self bool) int {
	if self {
		return f * (f + 1) / 2
	}
	return f * (f - 1) / 2
}

// DotInteraction is DLRM's feature interaction (Naumov et al. 2019; Keras-RS'
// DotInteraction): x of shape (B, F, K), F field vectors of K values per example
// (float32 or float64), gives the dot product <x_i, x_j> of every pair of fields,
// shape (B, P). The pairs are the upper triangle of the F×F Gram matrix in
// row-major order: (0,1), (0,2), ..., (0,F-1), (1,2), ..., (F-2,F-1), so P =
// F·(F-1)/2; with self the diagonal is included, (0,0), (0,1), ..., (F-1,F-1), P =
// F·(F+1)/2. (PyTorch's DLRM reads the lower triangle, (1,0), (2,0), (2,1), ...:
// the same values in another column order.) F must be at least 2 without self.
func DotInteraction(x *G.Node, self bool) (n *G.Node, err error) {
	defer recoverOp(&err, "dot_interaction")
	s := x.Shape()
	if s.Dims() != 3 || s.TotalSize() == 0 {
		return nil, notFields("dot_interaction", s)
	}
	if s[1] < 2 && !self {
		return nil, errors.Errorf("dot_interaction: %d field(s) give no pairs (want at least 2, or self-interactions)", s[1])
	}
	if err := checkFloat("dot_interaction", x.Dtype()); err != nil {
		return nil, err
	}
	op := dotInteractionOp{opBase{name: fmt.Sprintf("dot_interaction(self=%v)", self), arity: 1}, self}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "dot_interaction")
}

// interactionOutShape is the output shape of dotInteractionOp for x of shape s
// (B, F, K): (B, P).
func interactionOutShape(s tensor.Shape, self bool) tensor.Shape {
	return tensor.Shape{s[0], InteractionPairs(s[1], self)}
}

func (o dotInteractionOp) Type() hm.Type { return fieldsType() }

func (o dotInteractionOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.fieldsShape(in...)
	if err != nil {
		return nil, err
	}
	return interactionOutShape(s, o.self), nil
}

func (o dotInteractionOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o dotInteractionOp) DiffWRT(int) []bool                { return []bool{true} }

func (o dotInteractionOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := dotInteractionGradOp{opBase{name: fmt.Sprintf("dot_interaction_grad(self=%v)", o.self), arity: 2}, noDiff{}, o.self}
	n, err := G.ApplyOp(op, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o dotInteractionOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	x, err := fieldsArg(o.name, in)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out := outputLike(prealloc, x.Dtype(), interactionOutShape(s, o.self))
	switch xs := x.Data().(type) {
	case []float32:
		dotPairs(xs, out.Data().([]float32), s[0], s[1], s[2], o.self)
	case []float64:
		dotPairs(xs, out.Data().([]float64), s[0], s[1], s[2], o.self)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

func (o dotInteractionGradOp) Type() hm.Type { return fieldsGradType() }

func (o dotInteractionGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return o.firstShape(in...)
}

func (o dotInteractionGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o dotInteractionGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	x, g, err := fieldsGradArgs(o.name, in, func(s tensor.Shape) tensor.Shape { return interactionOutShape(s, o.self) })
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out := outputLike(prealloc, x.Dtype(), s)
	switch xs := x.Data().(type) {
	case []float32:
		dotPairsGrad(xs, g.Data().([]float32), out.Data().([]float32), s[0], s[1], s[2], o.self)
	case []float64:
		dotPairsGrad(xs, g.Data().([]float64), out.Data().([]float64), s[0], s[1], s[2], o.self)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// dotPairs writes the dot products of the pairs (i, j), j > i (j >= i with self),
// of the f rows of k values of each example, in row-major order.
func dotPairs[T float](x, out []T, b, f, k int, self bool) {
	off := 1
	if self {
		off = 0
	}
	p := 0
	for e := 0; e < b; e++ {
		xe := x[e*f*k : (e+1)*f*k]
		for i := 0; i < f; i++ {
			xi := xe[i*k : (i+1)*k]
			for j := i + off; j < f; j++ {
				xj := xe[j*k : (j+1)*k]
				var s float64
				for c, v := range xi {
					s += float64(v) * float64(xj[c])
				}
				out[p] = T(s)
				p++
			}
		}
	}
}

// dotPairsGrad writes the gradient of dotPairs for upstream g into dx.
func dotPairsGrad[T float](x, g, dx []T, b, f, k int, self bool) {
	off := 1
	if self {
		off = 0
	}
	clear(dx)
	p := 0
	for e := 0; e < b; e++ {
		xe, de := x[e*f*k:(e+1)*f*k], dx[e*f*k:(e+1)*f*k]
		for i := 0; i < f; i++ {
			xi, di := xe[i*k:(i+1)*k], de[i*k:(i+1)*k]
			for j := i + off; j < f; j++ {
				xj, dj := xe[j*k:(j+1)*k], de[j*k:(j+1)*k]
				u := g[p]
				p++
				for c := range xi {
					di[c] += u * xj[c]
					dj[c] += u * xi[c]
				}
			}
		}
	}
}
