package layers

import "github.com/pkg/errors"

// seqUtilLayerClasses lists the classes seqUtilLayer rebuilds: the sequence
// utility layers (normalization, positions, masking, repetition).
func seqUtilLayerClasses() []string {
	return []string{"LayerNormalization", "Masking", "PositionalEmbedding", "RepeatVector", "SinusoidalEncoding"}
}

// seqUtilLayer rebuilds a sequence utility layer from its configuration, or
// returns nil, nil for another class.
func seqUtilLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	var l Layer
	switch c.Class {
	case "LayerNormalization":
		if a := r.integer("axis"); r.err == nil && a != -1 {
			r.err = errors.Errorf("config \"axis\": %d (only -1, the last axis, is supported)", a)
		}
		l = LayerNormalization(name, WithEpsilon(r.float("epsilon")))
	case "PositionalEmbedding":
		opts := []Option{name}
		if k := r.str("embeddings_initializer"); k != "custom" {
			opts = append(opts, WithEmbeddingsInitializerName(k))
		}
		l = PositionalEmbedding(r.size("sequence_length", 1), r.size("output_dim", 1), opts...)
	case "SinusoidalEncoding":
		if w := r.float("max_wavelength"); r.err == nil && w != 10000 {
			r.err = errors.Errorf("config \"max_wavelength\": %g (only 10000 is supported)", w)
		}
		l = SinusoidalEncoding(name)
	case "RepeatVector":
		l = RepeatVector(r.size("n", 1), name)
	case "Masking":
		l = Masking(r.float("mask_value"), name)
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	if e := layerErr(l); e != nil {
		return nil, errors.Wrapf(e, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

// layerErr returns the construction error of a sequence utility layer.
func layerErr(l Layer) error {
	switch v := l.(type) {
	case *LayerNormLayer:
		return v.err
	case *PositionalEmbeddingLayer:
		return v.err
	case *SinusoidalEncodingLayer:
		return v.err
	case *RepeatVectorLayer:
		return v.err
	case *MaskingLayer:
		return v.err
	}
	return nil
}

// seqUtilOptions holds the settings of the sequence utility layers' options (see
// config). The layers take only shared options for now (WithEpsilon,
// WithEmbeddingsInitializer); the struct is where their own options will go.
type seqUtilOptions struct{}
