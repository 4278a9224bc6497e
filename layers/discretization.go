package layers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DiscretizationLayer buckets numbers inside a model (Keras' Discretization,
// output_mode "int"): an input of dtype Float32, Float64, Int32 or Int64 and any
// shape (...) gives Int64 bucket ids of the same shape, in [0, NumBins()), ready
// for an Embedding, a CategoryEncoding or a HashedCrossing (age buckets crossed
// with another feature).
//
// With bin boundaries b (strictly increasing, finite) the value x gets bucket i
// for b[i-1] <= x < b[i], Keras' rule: bucket 0 below b[0], bucket len(b) from the
// last boundary up; -Inf and +Inf get the first and last bucket. A Float32 input
// is compared with the boundaries rounded to float32. A NaN has no bucket: it
// makes the run fail with an error naming the example, rather than hide among
// real values (Keras puts it in the last bucket); trainers refuse a NaN input
// before the run, and a NaN made inside the model fails the run with a
// *graph.DiscretizeError.
//
// The boundaries are given with WithBinBoundaries or learned by Adapt from data
// (WithNumBins); either way they are saved in the model's configuration, so a
// loaded model takes raw numbers.
type DiscretizationLayer struct {
	Base
	bounds  []float64 // nil until given or adapted
	numBins int       // requested by WithNumBins; 0 when the boundaries were given
	err     error
}

// Discretization returns a bucketing of numbers. It takes one of:
// WithBinBoundaries (fixed boundaries), or WithNumBins (at least 2) followed by
// Adapt, which learns the boundaries from data; and WithName. Bad settings (both or
// neither of the two, boundaries out of order or not finite) are reported when the
// model is built.
func Discretization(opts ...Option) *DiscretizationLayer {
	cfg, err := layerConfig("Discretization", []string{"bin_boundaries", "num_bins"}, opts)
	l := &DiscretizationLayer{err: err}
	hasB, hasN := cfg.set["bin_boundaries"], cfg.set["num_bins"]
	switch {
	case l.err != nil:
	case hasB && hasN:
		l.err = errors.New("Discretization takes WithBinBoundaries or WithNumBins, not both")
	case !hasB && !hasN:
		l.err = errors.New("Discretization needs WithBinBoundaries, or WithNumBins and Adapt")
	case hasB:
		l.err = l.setBoundaries(cfg.feature.boundaries)
	default:
		l.err = l.setNumBins(cfg.feature.numBins)
	}
	l.SetName(cfg.name)
	return l
}

// WithBinBoundaries gives Discretization its bucket boundaries: finite and
// strictly increasing, at least one; len(boundaries)+1 buckets. Discretization
// takes it (or WithNumBins).
func WithBinBoundaries(boundaries []float64) Option {
	b := append([]float64(nil), boundaries...)
	return optionFunc(func(c *config) { c.feature.boundaries = b; c.set["bin_boundaries"] = true })
}

// WithNumBins makes Discretization learn its boundaries with Adapt: n buckets of
// about equal counts (n at least 2; fewer when the data repeat values).
// Discretization takes it (or WithBinBoundaries).
func WithNumBins(n int) Option {
	return optionFunc(func(c *config) { c.feature.numBins = n; c.set["num_bins"] = true })
}

func (l *DiscretizationLayer) setBoundaries(b []float64) error {
	if err := graph.CheckBoundaries(b); err != nil {
		return errors.Wrap(err, "Discretization")
	}
	if len(b) >= maxConfigInt {
		return errors.Errorf("Discretization: %d bin boundaries (at most %d)", len(b), maxConfigInt-1)
	}
	l.bounds = append([]float64(nil), b...)
	return nil
}

func (l *DiscretizationLayer) setNumBins(n int) error {
	if n < 2 || n > maxConfigInt {
		return errors.Errorf("Discretization: num_bins %d is not in [2, %d]", n, maxConfigInt)
	}
	l.numBins = n
	return nil
}

// Type returns "Discretization".
func (l *DiscretizationLayer) Type() string { return "Discretization" }

// BinBoundaries returns a copy of the boundaries (nil before Adapt when they are
// learned).
func (l *DiscretizationLayer) BinBoundaries() []float64 { return append([]float64(nil), l.bounds...) }

// NumBins is the number of buckets, len(BinBoundaries())+1: outputs lie in [0,
// NumBins()). Before Adapt (no boundaries yet) it is the number WithNumBins asked
// for, which Adapt may lower when the data repeat values.
func (l *DiscretizationLayer) NumBins() int {
	if l.bounds != nil {
		return len(l.bounds) + 1
	}
	return l.numBins
}

// Adapt learns the boundaries from data: a Float32, Float64, Int32, Int64 or Int
// tensor of any shape, all of whose values are pooled. For WithNumBins(n) the
// boundaries are the n-1 quantiles i/n of the values (the value of rank
// floor(i·N/n) among the N sorted values, exact, where Keras computes approximate
// quantiles), repeats dropped. Empty data, a NaN or an infinity is an error; so is
// a layer made with WithBinBoundaries, or one already built (its bucket count sizes
// the layers after it). Adapt again replaces the boundaries.
func (l *DiscretizationLayer) Adapt(x *tensor.Dense) error {
	who := named("Discretization", l.Name())
	if l.err != nil {
		return errors.Wrap(l.err, who)
	}
	if l.numBins == 0 {
		return errors.Errorf("%s: adapt: the layer has fixed bin boundaries (make it with WithNumBins to learn them)", who)
	}
	if l.Built() {
		return errors.Errorf("%s: adapt: the boundaries of a built layer cannot change", who)
	}
	if x == nil {
		return errors.Errorf("%s: adapt: no data", who)
	}
	vals, err := featureFloats(x)
	if err != nil {
		return errors.Wrapf(err, "%s: adapt", who)
	}
	if len(vals) == 0 {
		return errors.Errorf("%s: adapt: empty data (shape %v)", who, x.Shape())
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.Errorf("%s: adapt: value %d is %v (want finite values)", who, i, v)
		}
	}
	b, err := graph.QuantileBoundaries(vals, l.numBins)
	if err != nil {
		return errors.Wrapf(err, "%s: adapt", who)
	}
	l.bounds = b
	return nil
}

// featureFloats returns the values of a numeric tensor as float64.
func featureFloats(x *tensor.Dense) ([]float64, error) {
	n := x.Shape().TotalSize()
	out := make([]float64, 0, n)
	if n == 0 {
		// tensor's Data panics on an empty tensor: check the dtype without it.
		switch x.Dtype() {
		case tensor.Float64, tensor.Float32, tensor.Int64, tensor.Int32, tensor.Int:
			return out, nil
		}
		return nil, errors.Errorf("data of dtype %v (want float32, float64, int32, int64 or int)", x.Dtype())
	}
	short := func(have int) error {
		return errors.Errorf("data of shape %v holds %d values", x.Shape(), have)
	}
	switch d := x.Data().(type) {
	case []float64:
		if len(d) < n {
			return nil, short(len(d))
		}
		out = append(out, d[:n]...)
	case []float32:
		if len(d) < n {
			return nil, short(len(d))
		}
		for _, v := range d[:n] {
			out = append(out, float64(v))
		}
	case []int64:
		if len(d) < n {
			return nil, short(len(d))
		}
		for _, v := range d[:n] {
			out = append(out, float64(v))
		}
	case []int32:
		if len(d) < n {
			return nil, short(len(d))
		}
		for _, v := range d[:n] {
			out = append(out, float64(v))
		}
	case []int:
		if len(d) < n {
			return nil, short(len(d))
		}
		for _, v := range d[:n] {
			out = append(out, float64(v))
		}
	default:
		return nil, errors.Errorf("data of dtype %v (want float32, float64, int32, int64 or int)", x.Dtype())
	}
	return out, nil
}

// Apply calls the layer on x and returns the bucket ids.
func (l *DiscretizationLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// BuildMulti checks for one numeric input and returns Int64 ids of its shape.
func (l *DiscretizationLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("Discretization", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", who, len(in))
	}
	dt := in[0].DType
	if dt != tensor.Float32 && dt != tensor.Float64 && !isIntDType(dt) {
		return nil, errors.Errorf("%s takes numbers (an input of dtype Float32, Float64, Int32 or Int64), got %s", who, in[0])
	}
	if l.bounds == nil {
		return nil, errors.Errorf("%s has no bin boundaries: call Adapt", who)
	}
	return []Spec{{Shape: append([]int(nil), in[0].Shape...), DType: tensor.Int64}}, nil
}

// ForwardMulti buckets the values.
func (l *DiscretizationLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	if len(xs) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", named("Discretization", l.Name()), len(xs))
	}
	y, err := graph.Discretize(xs[0], l.bounds)
	if err != nil {
		return nil, errors.Wrap(err, named("Discretization", l.Name()))
	}
	return []*G.Node{y}, nil
}
