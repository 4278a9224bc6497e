package layers

import (
	"strconv"

	"github.com/pkg/errors"
)

// featureOptions holds the settings of the categorical feature layers' options
// (see config).
type featureOptions struct {
	salt       uint64    // Hashing: WithSalt
	maskValue  string    // Hashing: WithMaskValue
	boundaries []float64 // Discretization: WithBinBoundaries
	numBins    int       // Discretization: WithNumBins
}

// Config returns {"num_bins": n, "salt": "s", "mask_value": v or null,
// "output_mode": "int"}. The salt is written as a decimal string: a uint64 does not
// survive a JSON number read as float64.
func (l *HashingLayer) Config() LayerConfig {
	var mask interface{}
	if l.spec.Masked {
		mask = l.spec.MaskValue
	}
	return LayerConfig{"Hashing", l.Name(), map[string]interface{}{
		"num_bins": l.spec.Bins, "salt": strconv.FormatUint(l.spec.Salt, 10), "mask_value": mask, "output_mode": "int",
	}}
}

// Config returns {"bin_boundaries": [...], "num_bins": n or null, "output_mode":
// "int"}: the boundaries travel in the configuration (null before Adapt), num_bins
// is what WithNumBins asked for (null for given boundaries).
func (l *DiscretizationLayer) Config() LayerConfig {
	var bounds, bins interface{}
	if l.bounds != nil {
		bounds = l.BinBoundaries()
	}
	if l.numBins > 0 {
		bins = l.numBins
	}
	return LayerConfig{"Discretization", l.Name(), map[string]interface{}{
		"bin_boundaries": bounds, "num_bins": bins, "output_mode": "int",
	}}
}

// Config returns {"num_bins": n, "output_mode": "int"}.
func (l *HashedCrossingLayer) Config() LayerConfig {
	return LayerConfig{"HashedCrossing", l.Name(), map[string]interface{}{"num_bins": l.bins, "output_mode": "int"}}
}

// featureLayerClasses lists the classes featureLayer rebuilds: the categorical
// feature layers (hashing, discretization, crossing).
func featureLayerClasses() []string { return []string{"Discretization", "HashedCrossing", "Hashing"} }

// featureLayer rebuilds a categorical feature layer from its configuration, or
// returns nil, nil for another class. Settings are checked as the constructors
// check them.
func featureLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	var l Layer
	switch c.Class {
	case "Hashing":
		bins := r.size("num_bins", 1)
		salt := r.str("salt")
		var mask *string
		r.decode("mask_value", &mask)
		featureIntMode(&r)
		if r.err != nil {
			break
		}
		s, err := strconv.ParseUint(salt, 10, 64)
		if err != nil {
			r.err = errors.Errorf("config \"salt\": %q is not a decimal uint64", salt)
			break
		}
		opts := []Option{name, WithSalt(s)}
		if mask != nil {
			opts = append(opts, WithMaskValue(*mask))
		}
		h := Hashing(bins, opts...)
		r.err = h.err
		l = h
	case "Discretization":
		var bounds []float64
		var bins *int
		r.decode("bin_boundaries", &bounds)
		r.decode("num_bins", &bins)
		featureIntMode(&r)
		if r.err != nil {
			break
		}
		d := &DiscretizationLayer{}
		d.SetName(c.Name)
		switch {
		case bounds == nil && bins == nil:
			r.err = errors.New("config has neither \"bin_boundaries\" nor \"num_bins\"")
		case bins != nil:
			r.err = d.setNumBins(*bins)
		}
		if r.err == nil && bounds != nil {
			r.err = d.setBoundaries(bounds)
		}
		if r.err == nil && bins != nil && bounds != nil && len(bounds) >= *bins {
			r.err = errors.Errorf("config: %d bin boundaries for num_bins %d (Adapt makes at most num_bins-1)", len(bounds), *bins)
		}
		l = d
	case "HashedCrossing":
		bins := r.size("num_bins", 1)
		featureIntMode(&r)
		if r.err == nil {
			h := HashedCrossing(bins, name)
			r.err = h.err
			l = h
		}
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

// featureIntMode checks that the config's output_mode is "int", the only one.
func featureIntMode(r *cfgReader) {
	if m := r.str("output_mode"); r.err == nil && m != "int" {
		r.err = errors.Errorf("config \"output_mode\": %q (only \"int\" is supported)", m)
	}
}
