package layers

import (
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NormalizationLayer standardizes its input feature by feature over the last axis
// (Keras' Normalization): y = (x - mean) / sqrt(variance), or with WithInvert
// y = x·sqrt(variance) + mean, which maps standardized values back (a regression
// output in the target's units). Inputs of shape (..., features) give outputs of
// the same shape. mean and variance are weights of shape (features) that are not
// trainable: learned from data with Adapt (or given with WithMeanVariance), saved
// with the model, so a saved model takes raw values. Before Adapt they are zeros and
// ones (the layer passes values through), as in Keras.
type NormalizationLayer struct {
	Base
	invert         bool
	mean, variance []float64 // from Adapt or WithMeanVariance, until Build copies them
	err            error
	meanW, varW    *graph.Param
}

// Normalization returns a normalization layer. Options: WithName, WithInvert
// (default false), WithMeanVariance (default: learned by Adapt; zeros and ones
// until then).
func Normalization(opts ...Option) *NormalizationLayer {
	cfg, err := layerConfig("Normalization", []string{"invert", "mean_variance"}, opts)
	l := &NormalizationLayer{invert: cfg.invert, err: err}
	if err == nil && cfg.set["mean_variance"] {
		l.err = l.setStats(cfg.normMean, cfg.normVar, "WithMeanVariance")
	}
	l.SetName(cfg.name)
	return l
}

// WithInvert makes Normalization map standardized values back: y = x·sqrt(variance)
// + mean (default false). Normalization takes it.
func WithInvert(on bool) Option {
	return optionFunc(func(c *config) { c.invert = on; c.set["invert"] = true })
}

// WithMeanVariance gives Normalization its statistics instead of Adapt: one mean
// and one variance per feature (the input's last axis), each variance > 0 and
// finite. Normalization takes it.
func WithMeanVariance(mean, variance []float64) Option {
	m, v := append([]float64(nil), mean...), append([]float64(nil), variance...)
	return optionFunc(func(c *config) { c.normMean, c.normVar = m, v; c.set["mean_variance"] = true })
}

// Type returns "Normalization".
func (l *NormalizationLayer) Type() string { return "Normalization" }

// Apply calls the layer on x and returns the (un)standardized values.
func (l *NormalizationLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Invert reports whether the layer un-standardizes (WithInvert).
func (l *NormalizationLayer) Invert() bool { return l.invert }

// Mean returns a copy of the per-feature means: the weight's values once built,
// else those of Adapt or WithMeanVariance (nil if none).
func (l *NormalizationLayer) Mean() []float64 {
	if l.meanW != nil {
		return l.meanW.Float64s()
	}
	return append([]float64(nil), l.mean...)
}

// Variance returns a copy of the per-feature variances, as Mean.
func (l *NormalizationLayer) Variance() []float64 {
	if l.varW != nil {
		return l.varW.Float64s()
	}
	return append([]float64(nil), l.variance...)
}

// Adapt learns the mean and the population variance (divisor n, as Keras and
// scikit-learn's StandardScaler) of every feature of x: a Float32 or Float64 tensor
// of rank >= 1 whose last axis holds the features and whose other axes index
// examples ((n, d) rows; (n, h, w, c) images give per-channel statistics). A
// constant feature gets variance 1 (as scikit-learn's scale 1), so it maps to
// x - mean instead of being divided by zero. A NaN or infinite value is an error
// naming its example and feature; x is left unchanged. A built layer must get as
// many features as it was built for; its weights are overwritten.
func (l *NormalizationLayer) Adapt(x *tensor.Dense) error {
	who := named("Normalization", l.Name())
	mean, variance, err := featureMoments(x)
	if err != nil {
		return errors.Wrapf(err, "%s: adapt", who)
	}
	return errors.Wrapf(l.setStats(mean, variance, "Adapt"), "%s", who)
}

// setStats checks and stores the statistics, writing them into the weights of a
// built layer.
func (l *NormalizationLayer) setStats(mean, variance []float64, from string) error {
	if len(mean) == 0 || len(mean) != len(variance) {
		return errors.Errorf("%s: %d means and %d variances (want one of each per feature, at least one)", from, len(mean), len(variance))
	}
	for j := range mean {
		if !finite(mean[j]) || !finite(variance[j]) || !(variance[j] > 0) {
			return errors.Errorf("%s: feature %d has mean %g and variance %g (want a finite mean and a positive finite variance)", from, j, mean[j], variance[j])
		}
	}
	if l.meanW != nil {
		if n := l.meanW.Size(); n != len(mean) {
			return errors.Errorf("%s: %d features, but the layer was built for %d", from, len(mean), n)
		}
		if err := l.meanW.SetFloat64s(mean); err != nil {
			return err
		}
		return l.varW.SetFloat64s(variance)
	}
	l.mean, l.variance = append([]float64(nil), mean...), append([]float64(nil), variance...)
	return nil
}

// Build makes the (features) mean and variance weights, not trainable, for inputs
// of shape (..., features), filled with the adapted or given statistics (zeros and
// ones without), and returns the input's shape.
func (l *NormalizationLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("Normalization", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) == 0 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s has no feature axis", who, fmtShape(in))
	}
	f := in[len(in)-1]
	mean, variance := make([]float64, f), make([]float64, f)
	for j := range variance {
		variance[j] = 1
	}
	if l.mean != nil {
		if len(l.mean) != f {
			return nil, errors.Errorf("%s: the statistics have %d features, the input shape %s has %d", who, len(l.mean), fmtShape(in), f)
		}
		mean, variance = l.mean, l.variance
	}
	var err error
	if l.meanW, err = ctx.AddWeight(l, "mean", []int{f}, valuesInit(mean), NonTrainable(), WeightFans(f, f)); err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.varW, err = ctx.AddWeight(l, "variance", []int{f}, valuesInit(variance), NonTrainable(), WeightFans(f, f)); err != nil {
		return nil, errors.Wrap(err, who)
	}
	l.mean, l.variance = nil, nil
	return append([]int(nil), in...), nil
}

// Forward standardizes x of shape (batch, ..., features) (or un-standardizes it
// with WithInvert). A variance that is not positive (a hand-edited file) fails the
// run naming the feature.
func (l *NormalizationLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("Normalization", l.Name())
	if l.meanW == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	m, err := g.Param(l.meanW)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	v, err := g.Param(l.varW)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := graph.Standardize(x, m, v, l.invert)
	return y, errors.Wrap(err, who)
}

// valuesInit fills a weight with given values (the adapted statistics).
type valuesInit []float64

// Fill copies the values; dst must have as many.
func (v valuesInit) Fill(_ *rand.Rand, _, _ int, dst []float64) error {
	if len(dst) != len(v) {
		return errors.Errorf("values initializer: %d values for %d elements", len(v), len(dst))
	}
	copy(dst, v)
	return nil
}
