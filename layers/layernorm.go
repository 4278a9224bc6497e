package layers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// LayerNormLayer is Keras' LayerNormalization over the last axis: each example's
// (and each step's) features are standardized with their own mean and biased
// variance, then scaled by gamma and shifted by beta, both trainable weights of
// shape (features) starting at ones and zeros: y = (x - mean)/sqrt(var + epsilon)
// ·gamma + beta. The output has the input's shape. Unlike BatchNormalization it
// behaves the same in training and inference and keeps no statistics. The output
// carries the input's mask (Keras' supports_masking): padded steps are normalized
// like the others and left for the layers that read the mask.
type LayerNormLayer struct {
	Base
	eps         float64
	err         error
	gamma, beta *graph.Param
}

// LayerNormalization returns a layer normalization layer. Options: WithName,
// WithEpsilon (default 1e-3, Keras' default; PyTorch's nn.LayerNorm uses 1e-5).
func LayerNormalization(opts ...Option) *LayerNormLayer {
	cfg, err := layerConfig("LayerNormalization", []string{"epsilon"}, opts)
	l := &LayerNormLayer{eps: 1e-3, err: err}
	if cfg.set["epsilon"] {
		l.eps = cfg.epsilon
	}
	if err == nil && (!(l.eps > 0) || math.IsInf(l.eps, 0)) {
		l.err = errors.Errorf("LayerNormalization: epsilon %g must be positive and finite", l.eps)
	}
	l.SetName(cfg.name)
	return l
}

// Type returns "LayerNormalization".
func (l *LayerNormLayer) Type() string { return "LayerNormalization" }

// Epsilon is the constant added to the variance.
func (l *LayerNormLayer) Epsilon() float64 { return l.eps }

// Gamma is the (features) scale (nil before Build).
func (l *LayerNormLayer) Gamma() *graph.Param { return l.gamma }

// Beta is the (features) offset (nil before Build).
func (l *LayerNormLayer) Beta() *graph.Param { return l.beta }

// Apply calls the layer on x and returns the normalized values.
func (l *LayerNormLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Config returns the axis (-1) and epsilon.
func (l *LayerNormLayer) Config() LayerConfig {
	return LayerConfig{"LayerNormalization", l.Name(), map[string]interface{}{"axis": -1, "epsilon": l.eps}}
}

// Build makes gamma (ones) and beta (zeros) of shape (features) for inputs of
// shape (..., features) and returns the input's shape.
func (l *LayerNormLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("LayerNormalization", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) == 0 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s has no feature axis", who, fmtShape(in))
	}
	f := in[len(in)-1]
	var err error
	if l.gamma, err = ctx.AddWeight(l, "gamma", []int{f}, graph.Constant{V: 1}, WeightFans(f, f)); err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.beta, err = ctx.AddWeight(l, "beta", []int{f}, graph.Constant{V: 0}, WeightFans(f, f)); err != nil {
		return nil, errors.Wrap(err, who)
	}
	return append([]int(nil), in...), nil
}

// Forward normalizes x of shape (batch, ..., features); the output carries x's
// mask in g, if any.
func (l *LayerNormLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("LayerNormalization", l.Name())
	if l.gamma == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	gm, err := g.Param(l.gamma)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	bt, err := g.Param(l.beta)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := graph.LayerNorm(x, gm, bt, l.eps)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	passMask(g, x, y)
	return y, nil
}
