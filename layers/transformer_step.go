package layers

import (
	"fmt"
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Step adds to g one position of the decoder, attending to a cache of the keys
// and values of earlier positions instead of recomputing them, for token-by-token
// generation on a static graph. The layer must be built (by its model's Build);
// Step binds its existing weights to g and makes none.
//
// Layouts (B the batch, H = NumHeads(), D = KeyDim(), W = Width(), Tc the
// cache's fixed number of slots):
//
//   - x (B, 1, W): the new position's input;
//   - pastK, pastV (B, H, Tc, D): the keys and values of earlier positions, as
//     this method returned them (slot order does not matter: attention is a
//     weighted sum over the kept slots);
//   - pastKeep (B, Tc): 1 where the slot holds a real earlier position, 0 where it
//     is empty (an empty slot gets no attention whatever it holds);
//   - y (B, 1, W): the block's output at this position, what Forward gives at
//     that position of the full causal sequence whose earlier positions are the
//     kept slots;
//   - k, v (B, H, 1, D): this position's key and value (after the projections'
//     biases), for the caller to write into the cache.
//
// The new position always attends to itself. pastK, pastV and pastKeep may all
// be nil (an empty cache: the first position). x and the cache must have the
// model's dtype. Step applies no dropout (it is for inference) and ignores any
// mask recorded on x.
func (l *TransformerDecoderLayer) Step(g *graph.Graph, x, pastK, pastV, pastKeep *G.Node) (y, k, v *G.Node, err error) {
	who := named("TransformerDecoder", l.Name()) + ": step"
	defer recoverTo(&err, who)
	if l.width == 0 || l.attn == nil || l.attn.q[0] == nil {
		return nil, nil, nil, errors.Errorf("%s: not built (build the model first)", who)
	}
	if g == nil || x == nil {
		return nil, nil, nil, errors.Errorf("%s: no graph or no input", who)
	}
	dt := l.attn.q[0].Value.Dtype()
	xs := x.Shape()
	if xs.Dims() != 3 || xs[1] != 1 || xs[2] != l.width || xs[0] <= 0 {
		return nil, nil, nil, errors.Errorf("%s: input %v, want (batch, 1, %d)", who, xs, l.width)
	}
	if x.Dtype() != dt {
		return nil, nil, nil, errors.Errorf("%s: input is %v, the weights %v", who, x.Dtype(), dt)
	}
	bsz, heads, kd := xs[0], l.heads, l.keyDim
	nilCount := 0
	for _, n := range []*G.Node{pastK, pastV, pastKeep} {
		if n == nil {
			nilCount++
		}
	}
	if nilCount != 0 && nilCount != 3 {
		return nil, nil, nil, errors.Errorf("%s: pastK, pastV and pastKeep must all be given or all be nil", who)
	}
	tc := 0
	if nilCount == 0 {
		ks := pastK.Shape()
		if ks.Dims() != 4 || ks[0] != bsz || ks[1] != heads || ks[2] <= 0 || ks[3] != kd {
			return nil, nil, nil, errors.Errorf("%s: pastK %v, want (%d, %d, slots, %d)", who, ks, bsz, heads, kd)
		}
		tc = ks[2]
		if vs := pastV.Shape(); !vs.Eq(ks) {
			return nil, nil, nil, errors.Errorf("%s: pastV %v, want pastK's shape %v", who, vs, ks)
		}
		if ms := pastKeep.Shape(); !ms.Eq(tensor.Shape{bsz, tc}) {
			return nil, nil, nil, errors.Errorf("%s: pastKeep %v, want (%d, %d)", who, ms, bsz, tc)
		}
		for _, n := range []*G.Node{pastK, pastV, pastKeep} {
			if n.Dtype() != dt {
				return nil, nil, nil, errors.Errorf("%s: cache tensor %v is %v, want %v", who, n.Shape(), n.Dtype(), dt)
			}
		}
	}
	h := x
	if l.normFirst {
		if h, err = l.attnNorm.Forward(g, x); err != nil {
			return nil, nil, nil, errors.Wrap(err, who)
		}
	}
	a, k, v, err := l.stepAttention(g, h, pastK, pastV, pastKeep, tc)
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, who)
	}
	if y, err = l.residual(g, a, x, l.attnNorm, false); err != nil {
		return nil, nil, nil, errors.Wrapf(err, "%s: attention block", who)
	}
	if y, err = l.feedForward(g, y, false); err != nil {
		return nil, nil, nil, errors.Wrapf(err, "%s: feed-forward block", who)
	}
	return y, k, v, nil
}

// stepAttention is the self-attention of one position h (B, 1, W) over the
// cached keys and values (tc slots, or none when tc is 0) and itself; it returns
// the attention's output (B, 1, W) and the position's key and value (B, H, 1, D).
func (l *TransformerDecoderLayer) stepAttention(g *graph.Graph, h, pastK, pastV, pastKeep *G.Node, tc int) (out, k, v *G.Node, err error) {
	m := l.attn
	bsz, heads, kd := h.Shape()[0], l.heads, l.keyDim
	hd := heads * kd
	q, err := project(g, h, m.q, hd)
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "query")
	}
	if k, err = project(g, h, m.k, hd); err != nil {
		return nil, nil, nil, errors.Wrap(err, "key")
	}
	if v, err = project(g, h, m.v, hd); err != nil {
		return nil, nil, nil, errors.Wrap(err, "value")
	}
	if q, err = G.Mul(q, g.Scalar(1/math.Sqrt(float64(kd)))); err != nil {
		return nil, nil, nil, errors.Wrap(err, "scale")
	}
	// With one step, (B, 1, H·D) and (B, H, 1, D) share their memory layout.
	if k, err = G.Reshape(k, []int{bsz, heads, 1, kd}); err != nil {
		return nil, nil, nil, errors.Wrap(err, "key heads")
	}
	if v, err = G.Reshape(v, []int{bsz, heads, 1, kd}); err != nil {
		return nil, nil, nil, errors.Wrap(err, "value heads")
	}
	keys, vals := k, v
	var keep *G.Node
	if tc > 0 {
		if keys, err = G.Concat(2, pastK, k); err != nil {
			return nil, nil, nil, errors.Wrap(err, "append key")
		}
		if vals, err = G.Concat(2, pastV, v); err != nil {
			return nil, nil, nil, errors.Wrap(err, "append value")
		}
		if keep, err = G.Concat(1, pastKeep, stepOnes(g.ExprGraph(), h.Dtype(), bsz)); err != nil {
			return nil, nil, nil, errors.Wrap(err, "append keep")
		}
	}
	tk := tc + 1
	q3, err := G.Reshape(q, []int{bsz * heads, 1, kd})
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "query heads")
	}
	k3, err := G.Reshape(keys, []int{bsz * heads, tk, kd})
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "keys")
	}
	v3, err := G.Reshape(vals, []int{bsz * heads, tk, kd})
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "values")
	}
	scores, err := graph.BatchDot(q3, k3, 2, 2, false) // (B·H, 1, Tc+1)
	if err != nil {
		return nil, nil, nil, err
	}
	weights, err := graph.MaskedSoftmax(scores, nil, keep, heads, false)
	if err != nil {
		return nil, nil, nil, err
	}
	att, err := graph.BatchDot(weights, v3, 2, 1, false) // (B·H, 1, D)
	if err != nil {
		return nil, nil, nil, err
	}
	merged, err := G.Reshape(att, []int{bsz, 1, hd})
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "merge heads")
	}
	if out, err = project(g, merged, m.o, m.outWidth); err != nil {
		return nil, nil, nil, errors.Wrap(err, "output")
	}
	return out, k, v, nil
}

// stepOnes is a constant (b, 1) of ones: the new position's keep flag.
func stepOnes(eg *G.ExprGraph, dt tensor.Dtype, b int) *G.Node {
	var t *tensor.Dense
	if dt == tensor.Float32 {
		d := make([]float32, b)
		for i := range d {
			d[i] = 1
		}
		t = tensor.New(tensor.WithShape(b, 1), tensor.WithBacking(d))
	} else {
		d := make([]float64, b)
		for i := range d {
			d[i] = 1
		}
		t = tensor.New(tensor.WithShape(b, 1), tensor.WithBacking(d))
	}
	return G.NewTensor(eg, dt, 2, G.WithShape(b, 1), G.WithValue(t), G.WithName(fmt.Sprintf("step_keep_self_%d", len(eg.AllNodes()))))
}
