package graph

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// SparseCategoricalCrossentropy is categorical_crossentropy with integer class
// ids as targets. For predictions of shape (B, K) the targets have shape (B, 1)
// or (B); for sequence predictions (B, T, ..., K) they have the leading shape
// (B, T, ...), one id per position (a language model's next tokens).
//
// The loss is the mean over the counted positions of -log p[target]. A position
// is not counted when its target is negative (PyTorch's ignore_index, e.g. -100
// for the unmasked tokens of masked-token pretraining) or when pred carries a
// mask (Graph.Mask, set by mask-aware layers) that is 0 there, as Keras' masked
// losses do; a batch with no counted position has loss 0. If pred is a recorded
// softmax output, the loss uses its logits (exact for any logits); otherwise
// pred holds probabilities, clipped to [Epsilon, 1-Epsilon]. A target that is
// not an integer id in [0, K) is an error of the run naming the row (the row of
// the flattened (B·T·..., K) view).
func SparseCategoricalCrossentropy(g *Graph, pred, target *G.Node) (n *G.Node, err error) {
	const who = "sparse_categorical_crossentropy"
	defer recoverOp(&err, who)
	if pred.Dims() < 2 {
		return nil, errors.Errorf("%s: prediction shape %v, want (batch, classes) or (batch, steps, classes)", who, pred.Shape())
	}
	ps := pred.Shape()
	k := ps[len(ps)-1]
	rows := ps.TotalSize() / k
	if ts := target.Shape(); ts.TotalSize() != rows || (pred.Dims() > 2 && !sameLeading(ts, ps)) {
		want := "(batch, 1) class ids"
		if pred.Dims() > 2 {
			want = fmt.Sprintf("the prediction's leading shape %v, one class id per position", []int(ps[:len(ps)-1]))
		}
		return nil, errors.Errorf("%s: target shape %v for prediction %v, want %s", who, ts, ps, want)
	}
	if err := checkFloat(who, pred.Dtype()); err != nil {
		return nil, err
	}
	x, probs := pred, true
	if z, act, ok := g.Logits(pred); ok && act == "softmax" {
		x, probs = z, false
	}
	args := G.Nodes{}
	for _, a := range []struct {
		node  *G.Node
		shape []int
	}{{x, []int{rows, k}}, {target, []int{rows}}} {
		r, err := reshapeTo(a.node, a.shape)
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		args = append(args, r)
	}
	mask, masked := g.Mask(pred)
	if masked {
		if mask.Shape().TotalSize() != rows {
			return nil, errors.Errorf("%s: mask shape %v does not match the prediction's leading shape %v", who, mask.Shape(), ps[:len(ps)-1])
		}
		r, err := reshapeTo(mask, []int{rows})
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		args = append(args, r)
	}
	per, err := G.ApplyOp(newSparseXentOp(probs, masked, false), args...)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return SumAll(per)
}

// sameLeading reports whether target shape ts is pred shape ps without its last
// axis (a trailing axis of 1 allowed).
func sameLeading(ts, ps []int) bool {
	lead := ps[:len(ps)-1]
	if len(ts) == len(lead)+1 && ts[len(ts)-1] == 1 {
		ts = ts[:len(ts)-1]
	}
	if len(ts) != len(lead) {
		return false
	}
	for i := range ts {
		if ts[i] != lead[i] {
			return false
		}
	}
	return true
}

// reshapeTo reshapes n to shape unless it has it already.
func reshapeTo(n *G.Node, shape []int) (*G.Node, error) {
	if n.Shape().Eq(shape) {
		return n, nil
	}
	return G.Reshape(n, shape)
}
