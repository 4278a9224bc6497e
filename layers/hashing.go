package layers

import (
	"strconv"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// HashingLayer hashes raw categories into a fixed number of bins inside a model
// (Keras' Hashing, output_mode "int"): no vocabulary to learn or store, so it
// suits categories too many or too new to list (user ids, URLs). An input of
// dtype String, Int32 or Int64 and any shape (...) gives Int64 bins of the same
// shape, in [0, NumBins()), ready for an Embedding or a CategoryEncoding of
// NumBins() ids.
//
// A value's bin is FNV-1a (64 bits) of its bytes modulo NumBins (graph.HashBin;
// an integer is hashed by its decimal text, as IntegerLookup reads it, so the
// string "42" and the integer 42 share a bin). The bins are the same on every
// machine, run and Go version, and are saved with the model as a function, not a
// table. Keras hashes with FarmHash (SipHash with a salt), so bin numbers differ
// from Keras' for the same settings: a model trained in Keras cannot be ported with
// its hashed embeddings.
type HashingLayer struct {
	Base
	spec graph.HashSpec
	err  error
}

// Hashing returns a hashing into numBins bins (at least 1, at most 2^31-1).
// Options: WithName, WithSalt (default 0: no salt), WithMaskValue (default none:
// every value is hashed into [0, numBins)). Bad settings are reported when the
// model is built.
func Hashing(numBins int, opts ...Option) *HashingLayer {
	cfg, err := layerConfig("Hashing", []string{"salt", "mask_value"}, opts)
	spec := graph.HashSpec{Bins: numBins, Salt: cfg.feature.salt}
	if cfg.set["mask_value"] {
		spec.Masked, spec.MaskValue = true, cfg.feature.maskValue
	}
	if err == nil && (numBins < 1 || numBins > maxConfigInt) {
		err = errors.Errorf("Hashing: num_bins %d is not in [1, %d]", numBins, maxConfigInt)
	}
	if err == nil {
		err = errors.Wrap(spec.Check(), "Hashing")
	}
	l := &HashingLayer{spec: spec, err: err}
	l.SetName(cfg.name)
	return l
}

// WithSalt mixes salt into Hashing's hash (default 0: none), so that two Hashing
// layers of one model put the same value in unrelated bins: a salt other than 0 is
// hashed, as 8 little-endian bytes, before the value's bytes. Hashing takes it.
func WithSalt(salt uint64) Option {
	return optionFunc(func(c *config) { c.feature.salt = salt; c.set["salt"] = true })
}

// WithMaskValue makes value Hashing's mask (Keras' mask_value; default none): it
// gets bin 0, and every other value one of the bins [1, numBins), so numBins must
// be at least 2. For an integer input give the integer in decimal ("-1"). Hashing
// takes it.
func WithMaskValue(value string) Option {
	return optionFunc(func(c *config) { c.feature.maskValue = value; c.set["mask_value"] = true })
}

// Type returns "Hashing".
func (l *HashingLayer) Type() string { return "Hashing" }

// NumBins is the number of bins: outputs lie in [0, NumBins()).
func (l *HashingLayer) NumBins() int { return l.spec.Bins }

// Salt is the salt mixed into the hash (0: none).
func (l *HashingLayer) Salt() uint64 { return l.spec.Salt }

// MaskValue returns the mask value and true, or "" and false when there is none.
func (l *HashingLayer) MaskValue() (string, bool) { return l.spec.MaskValue, l.spec.Masked }

// Bin returns the bin the layer gives the value v (an integer in decimal), as the
// model computes it; 0 for a layer with bad settings.
func (l *HashingLayer) Bin(v string) int64 {
	if l.err != nil {
		return 0
	}
	return l.spec.Bin(v)
}

// Apply calls the layer on x and returns the bins.
func (l *HashingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// BuildMulti checks for one String or integer input and returns Int64 bins of its
// shape.
func (l *HashingLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("Hashing", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", who, len(in))
	}
	if err := featureCategorical(who, in[0]); err != nil {
		return nil, err
	}
	if l.spec.Masked && isIntDType(in[0].DType) {
		if _, err := strconv.ParseInt(l.spec.MaskValue, 10, 64); err != nil {
			return nil, errors.Errorf("%s: mask value %q is not an integer in decimal, and the input %s holds integers", who, l.spec.MaskValue, in[0])
		}
	}
	return []Spec{{Shape: append([]int(nil), in[0].Shape...), DType: tensor.Int64}}, nil
}

// ForwardMulti hashes the values.
func (l *HashingLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	if len(xs) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", named("Hashing", l.Name()), len(xs))
	}
	y, err := graph.Hash(xs[0], l.spec)
	if err != nil {
		return nil, errors.Wrap(err, named("Hashing", l.Name()))
	}
	return []*G.Node{y}, nil
}

// featureCategorical returns an error unless in is a String or integer input.
func featureCategorical(who string, in Spec) error {
	if in.DType != tensor.String && !isIntDType(in.DType) {
		return errors.Errorf("%s takes categories (an input of dtype String, Int32 or Int64), got %s", who, in)
	}
	return nil
}
