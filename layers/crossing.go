package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// HashedCrossingLayer crosses categorical features by hashing (Keras 3's
// HashedCrossing, output_mode "int"): the combination of the values of two or more
// inputs gets one of NumBins() bins, for the wide part of a Wide&Deep model (country
// × device, or a Discretization's age bucket × gender). Its inputs are String,
// Int32 or Int64 tensors of one shape (...), their dtypes may differ; the output
// is Int64 bins of that shape, in [0, NumBins()), element by element.
//
// The bin of (v1, v2, ...) is FNV-1a (64 bits) over each value's byte length (8
// bytes, little endian) and bytes, in input order, modulo NumBins
// (graph.CrossBin): the length prefix keeps ("ab", "c") and ("a", "bc") apart, and
// integers are crossed by their decimal text. The bins are the same on every
// machine and run; Keras uses FarmHash, so its bin numbers differ. Crossing the
// same inputs in another order gives other bins.
type HashedCrossingLayer struct {
	Base
	bins int
	err  error
}

// HashedCrossing returns a crossing into numBins bins (at least 1, at most
// 2^31-1). Options: WithName. Bad settings are reported when the model is built.
func HashedCrossing(numBins int, opts ...Option) *HashedCrossingLayer {
	cfg, err := layerConfig("HashedCrossing", nil, opts)
	if err == nil && (numBins < 1 || numBins > maxConfigInt) {
		err = errors.Errorf("HashedCrossing: num_bins %d is not in [1, %d]", numBins, maxConfigInt)
	}
	l := &HashedCrossingLayer{bins: numBins, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "HashedCrossing".
func (l *HashedCrossingLayer) Type() string { return "HashedCrossing" }

// NumBins is the number of bins: outputs lie in [0, NumBins()).
func (l *HashedCrossingLayer) NumBins() int { return l.bins }

// Bin returns the bin the layer gives the values crossed in this order (integers
// in decimal), as the model computes it; 0 for a layer with bad settings.
func (l *HashedCrossingLayer) Bin(values ...string) int64 {
	if l.err != nil {
		return 0
	}
	return graph.CrossBin(values, l.bins)
}

// Apply calls the layer on two or more inputs and returns the bins of their cross.
func (l *HashedCrossingLayer) Apply(xs ...*Tensor) *Tensor { return apply1(l, xs) }

// BuildMulti checks for two or more String or integer inputs of one shape and
// returns Int64 bins of that shape.
func (l *HashedCrossingLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("HashedCrossing", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) < 2 {
		return nil, errors.Errorf("%s crosses two or more inputs, got %d", who, len(in))
	}
	for i, s := range in {
		if err := featureCategorical(who, s); err != nil {
			return nil, errors.Wrapf(err, "input %d", i)
		}
		if !featureSameShape(s.Shape, in[0].Shape) {
			return nil, errors.Errorf("%s crosses inputs of one shape, got %s and %s", who, in[0], s)
		}
	}
	return []Spec{{Shape: append([]int(nil), in[0].Shape...), DType: tensor.Int64}}, nil
}

// ForwardMulti hashes the crosses.
func (l *HashedCrossingLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	y, err := graph.HashCross(xs, l.bins)
	if err != nil {
		return nil, errors.Wrap(err, named("HashedCrossing", l.Name()))
	}
	return []*G.Node{y}, nil
}

func featureSameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
