package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// BatchNormLayer is Keras' BatchNormalization over the last axis (channels_last:
// images (batch, height, width, channels) are normalized per channel; vectors
// (batch, features) per feature). The output has the input's shape. It has four
// parameters of shape (channels), in Keras' order: gamma (ones) and beta (zeros),
// trainable, and moving_mean (zeros) and moving_variance (ones), not trainable,
// updated by every training step and used for inference. They belong to the
// model, so every compiled program (a training graph at batch 64, an inference
// graph at batch 1) sees the same statistics, and Save writes them.
type BatchNormLayer struct {
	Base
	spec                         graph.BatchNormSpec
	err                          error
	gamma, beta, movMean, movVar *graph.Param
}

// BatchNormalization returns a batch normalization layer. Options: WithName,
// WithMomentum (default 0.99, Keras' meaning: moving = momentum·moving +
// (1-momentum)·batch), WithEpsilon (default 1e-3). In training the batch's mean and
// biased variance normalize, and the moving variance moves toward the unbiased
// one (a batch of one row uses the biased one, 0, rather than NaN); in inference
// the moving statistics normalize.
func BatchNormalization(opts ...Option) *BatchNormLayer {
	cfg, err := layerConfig("BatchNormalization", []string{"momentum", "epsilon"}, opts)
	spec := graph.BatchNormSpec{Momentum: 0.99, Epsilon: 1e-3}
	if cfg.set["momentum"] {
		spec.Momentum = cfg.momentum
	}
	if cfg.set["epsilon"] {
		spec.Epsilon = cfg.epsilon
	}
	if err == nil && (spec.Momentum < 0 || spec.Momentum > 1 || !(spec.Epsilon > 0)) {
		err = errors.Errorf("BatchNormalization: momentum %g must be in [0, 1] and epsilon %g > 0", spec.Momentum, spec.Epsilon)
	}
	l := &BatchNormLayer{spec: spec, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "BatchNormalization".
func (l *BatchNormLayer) Type() string { return "BatchNormalization" }

// Spec is the momentum and epsilon.
func (l *BatchNormLayer) Spec() graph.BatchNormSpec { return l.spec }

// Gamma is the (channels) scale, trainable (nil before Build, as are Beta,
// MovingMean and MovingVariance).
func (l *BatchNormLayer) Gamma() *graph.Param { return l.gamma }

// Beta is the (channels) offset.
func (l *BatchNormLayer) Beta() *graph.Param { return l.beta }

// MovingMean is the (channels) moving mean, not trainable.
func (l *BatchNormLayer) MovingMean() *graph.Param { return l.movMean }

// MovingVariance is the (channels) moving variance, not trainable.
func (l *BatchNormLayer) MovingVariance() *graph.Param { return l.movVar }

// Build creates the four (channels) parameters for inputs of shape (...,
// channels) and returns the same shape.
func (l *BatchNormLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("BatchNormalization", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) == 0 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s has no channel axis", who, fmtShape(in))
	}
	c := in[len(in)-1]
	ps := make([]*graph.Param, 4)
	names := []string{"gamma", "beta", "moving_mean", "moving_variance"}
	for i, v := range []float64{1, 0, 0, 1} {
		opts := []WeightOption{WeightFans(c, c)}
		if i >= 2 {
			opts = append(opts, NonTrainable())
		}
		p, err := ctx.AddWeight(l, names[i], []int{c}, graph.Constant{V: v}, opts...)
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		ps[i] = p
	}
	l.gamma, l.beta, l.movMean, l.movVar = ps[0], ps[1], ps[2], ps[3]
	return append([]int(nil), in...), nil
}

// Forward normalizes x of shape (batch, ..., channels) with the batch statistics
// (updating the moving ones) in a Train graph, with the moving ones in an Infer
// graph.
func (l *BatchNormLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("BatchNormalization", l.Name())
	if l.gamma == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	nodes := make([]*G.Node, 4)
	for i, p := range []*graph.Param{l.gamma, l.beta, l.movMean, l.movVar} {
		var err error
		if nodes[i], err = g.Param(p); err != nil {
			return nil, errors.Wrap(err, who)
		}
	}
	y, err := g.BatchNorm(x, nodes[0], nodes[1], nodes[2], nodes[3], l.spec)
	return y, errors.Wrap(err, who)
}
