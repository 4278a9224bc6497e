package graph

import (
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Epsilon is the clipping margin of losses on probabilities, Keras' backend epsilon.
const Epsilon = 1e-7

// LossFunc builds a scalar loss from a model output pred and a target node. Losses
// are means over the batch (Keras' default reduction). When pred is the output of a
// softmax or sigmoid whose logits were recorded with Graph.SetLogits, the
// cross-entropies use the logits form, which is exact and never overflows.
type LossFunc func(g *Graph, pred, target *G.Node) (*G.Node, error)

// losses maps Keras names to losses; never written after initialization.
var losses = map[string]LossFunc{
	"mse":                             MSE,
	"mean_squared_error":              MSE,
	"mae":                             MAE,
	"mean_absolute_error":             MAE,
	"huber":                           func(g *Graph, p, t *G.Node) (*G.Node, error) { return Huber(g, p, t, 1) },
	"binary_crossentropy":             BinaryCrossentropy,
	"categorical_crossentropy":        CategoricalCrossentropy,
	"sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
	"ctc":                             CTCLossFunc(CTCOptions{Input: CTCProbs}),
}

// Loss returns the loss of the given Keras name: mse (mean_squared_error), mae
// (mean_absolute_error), huber (delta 1), binary_crossentropy,
// categorical_crossentropy (one-hot targets), sparse_categorical_crossentropy
// (integer class ids as targets, shape (B, 1)), ctc (CTCLossFunc with blank 0 on a
// softmax output of shape (B, T, K), its recorded logits used: targets are label
// sequences (B, S) of ids in [1, K) padded with -1; input lengths from the mask
// recorded on the output, T otherwise; the mean over the batch of each loss divided
// by its label length). An unknown name is an error listing the valid ones.
func Loss(name string) (LossFunc, error) {
	f, ok := losses[name]
	if !ok {
		return nil, errors.Errorf("unknown loss %q (valid: %s)", name, strings.Join(LossNames(), ", "))
	}
	return f, nil
}

// LossNames lists the valid loss names, sorted.
func LossNames() []string {
	names := make([]string, 0, len(losses))
	for n := range losses {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sameShape(name string, p, t *G.Node) error {
	if !p.Shape().Eq(t.Shape()) {
		return errors.Errorf("%s: prediction shape %v and target shape %v differ", name, p.Shape(), t.Shape())
	}
	return nil
}

func diff(name string, p, t *G.Node) (*G.Node, error) {
	if err := sameShape(name, p, t); err != nil {
		return nil, err
	}
	d, err := G.Sub(p, t)
	return d, errors.Wrap(err, name)
}

// MSE is the mean over all elements of (pred - target)².
func MSE(_ *Graph, pred, target *G.Node) (*G.Node, error) {
	d, err := diff("mse", pred, target)
	if err != nil {
		return nil, err
	}
	sq, err := G.HadamardProd(d, d)
	if err != nil {
		return nil, errors.Wrap(err, "mse")
	}
	return MeanAll(sq)
}

var absFn = elemFunc{"abs", math.Abs, func(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}}

// MAE is the mean over all elements of |pred - target|.
func MAE(_ *Graph, pred, target *G.Node) (*G.Node, error) {
	d, err := diff("mae", pred, target)
	if err != nil {
		return nil, err
	}
	a, err := applyElem(absFn, d)
	if err != nil {
		return nil, err
	}
	return MeanAll(a)
}

func huberFn(delta float64) elemFunc {
	return elemFunc{withParam("huber", delta), func(x float64) float64 {
		if a := math.Abs(x); a > delta {
			return delta * (a - 0.5*delta)
		}
		return 0.5 * x * x
	}, func(x float64) float64 { return math.Max(-delta, math.Min(delta, x)) }}
}

// Huber is the mean over all elements of 0.5·d² where |d| <= delta and
// delta·(|d| - 0.5·delta) elsewhere, d = pred - target. Keras' default delta is 1.
func Huber(_ *Graph, pred, target *G.Node, delta float64) (*G.Node, error) {
	if delta <= 0 {
		return nil, errors.Errorf("huber: delta %g must be positive", delta)
	}
	d, err := diff("huber", pred, target)
	if err != nil {
		return nil, err
	}
	h, err := applyElem(huberFn(delta), d)
	if err != nil {
		return nil, err
	}
	return MeanAll(h)
}

// SigmoidCrossEntropy is the binary cross-entropy of sigmoid(logits) against
// targets in [0, 1], computed as softplus(z) - t·z (exact for any z), averaged over
// all elements.
func SigmoidCrossEntropy(logits, target *G.Node) (*G.Node, error) {
	if err := sameShape("sigmoid cross-entropy", logits, target); err != nil {
		return nil, err
	}
	sp, err := Softplus(logits)
	if err != nil {
		return nil, err
	}
	tz, err := G.HadamardProd(target, logits)
	if err != nil {
		return nil, errors.Wrap(err, "sigmoid cross-entropy")
	}
	l, err := G.Sub(sp, tz)
	if err != nil {
		return nil, errors.Wrap(err, "sigmoid cross-entropy")
	}
	return MeanAll(l)
}

func clipFn(lo, hi float64) elemFunc {
	return elemFunc{withParam(withParam("clip", lo), hi), func(x float64) float64 {
		return math.Max(lo, math.Min(hi, x))
	}, func(x float64) float64 {
		if x > lo && x < hi {
			return 1
		}
		return 0
	}}
}

var (
	logFn   = elemFunc{"log", math.Log, func(x float64) float64 { return 1 / x }}
	log1mFn = elemFunc{"log1m", func(x float64) float64 { return math.Log1p(-x) }, func(x float64) float64 { return -1 / (1 - x) }}
)

// BinaryCrossentropy is Keras' binary_crossentropy. If pred is a recorded sigmoid
// output it is SigmoidCrossEntropy of the logits; otherwise pred holds
// probabilities, clipped to [Epsilon, 1-Epsilon], and the loss is the mean over all
// elements of -(t·log p + (1-t)·log(1-p)).
func BinaryCrossentropy(g *Graph, pred, target *G.Node) (*G.Node, error) {
	if z, act, ok := g.Logits(pred); ok && act == "sigmoid" {
		return SigmoidCrossEntropy(z, target)
	}
	if err := sameShape("binary_crossentropy", pred, target); err != nil {
		return nil, err
	}
	p, err := applyElem(clipFn(Epsilon, 1-Epsilon), pred)
	if err != nil {
		return nil, err
	}
	lp, err := applyElem(logFn, p)
	if err != nil {
		return nil, err
	}
	lq, err := applyElem(log1mFn, p)
	if err != nil {
		return nil, err
	}
	// t·log p + (1-t)·log(1-p) = t·(log p - log(1-p)) + log(1-p)
	d, err := G.Sub(lp, lq)
	if err != nil {
		return nil, errors.Wrap(err, "binary_crossentropy")
	}
	td, err := G.HadamardProd(target, d)
	if err != nil {
		return nil, errors.Wrap(err, "binary_crossentropy")
	}
	ll, err := G.Add(td, lq)
	if err != nil {
		return nil, errors.Wrap(err, "binary_crossentropy")
	}
	m, err := MeanAll(ll)
	if err != nil {
		return nil, err
	}
	n, err := G.Neg(m)
	return n, errors.Wrap(err, "binary_crossentropy")
}

// SoftmaxCrossEntropy is the mean over rows of -sum(t · log_softmax(logits)), for
// logits and one-hot (or probability) targets of shape (B, K).
func SoftmaxCrossEntropy(logits, target *G.Node) (*G.Node, error) {
	if err := sameShape("softmax cross-entropy", logits, target); err != nil {
		return nil, err
	}
	ls, err := LogSoftmax(logits)
	if err != nil {
		return nil, err
	}
	return negRowMean("softmax cross-entropy", target, ls)
}

// negRowMean is -sum(t·l)/B.
func negRowMean(name string, t, l *G.Node) (*G.Node, error) {
	tl, err := G.HadamardProd(t, l)
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	m, err := RowMean(tl)
	if err != nil {
		return nil, err
	}
	n, err := G.Neg(m)
	return n, errors.Wrap(err, name)
}

// CategoricalCrossentropy is Keras' categorical_crossentropy for one-hot targets of
// shape (B, K). If pred is a recorded softmax output it is SoftmaxCrossEntropy of the
// logits; otherwise pred holds probabilities, clipped to [Epsilon, 1-Epsilon], and
// the loss is the mean over rows of -sum(t·log p).
func CategoricalCrossentropy(g *Graph, pred, target *G.Node) (*G.Node, error) {
	if z, act, ok := g.Logits(pred); ok && act == "softmax" {
		return SoftmaxCrossEntropy(z, target)
	}
	if err := sameShape("categorical_crossentropy", pred, target); err != nil {
		return nil, err
	}
	p, err := applyElem(clipFn(Epsilon, 1-Epsilon), pred)
	if err != nil {
		return nil, err
	}
	lp, err := applyElem(logFn, p)
	if err != nil {
		return nil, err
	}
	return negRowMean("categorical_crossentropy", target, lp)
}
