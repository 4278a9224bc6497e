package layers

import "github.com/pkg/errors"

// transformerLayerClasses lists the classes transformerLayer rebuilds: the
// transformer blocks (TransformerEncoder, TransformerDecoder).
func transformerLayerClasses() []string { return []string{"TransformerEncoder", "TransformerDecoder"} }

// transformerLayer rebuilds a transformer block from its configuration (Keras-hub's
// keys, see transformerBlock.Config), or returns nil, nil for another class.
func transformerLayer(c LayerConfig) (Layer, error) {
	if c.Class != "TransformerEncoder" && c.Class != "TransformerDecoder" {
		return nil, nil
	}
	r := cfgReader{c: c}
	heads, inter := r.size("num_heads", 1), r.size("intermediate_dim", 1)
	opts := []Option{WithName(c.Name), WithAttentionDropout(r.float("dropout")), WithActivation(r.str("activation")),
		WithEpsilon(r.float("layer_norm_epsilon")), WithNormalizeFirst(r.boolean("normalize_first"))}
	if k := r.str("kernel_initializer"); k != "custom" {
		opts = append(opts, WithKernelInitializerName(k))
	}
	if k := r.str("bias_initializer"); k != "custom" {
		opts = append(opts, optionFunc(func(cf *config) { cf.biasInit, cf.biasInitName = nil, k; cf.set["bias_initializer"] = true }))
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	var l Layer
	var err error
	if c.Class == "TransformerEncoder" {
		e := TransformerEncoder(heads, inter, opts...)
		l, err = e, e.err
	} else {
		d := TransformerDecoder(heads, inter, opts...)
		l, err = d, d.err
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}
