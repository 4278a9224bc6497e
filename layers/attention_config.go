package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// attentionLayerClasses lists the classes attentionLayer rebuilds: the attention layers (MultiHeadAttention, TimeDistributed).
func attentionLayerClasses() []string { return []string{"MultiHeadAttention", "TimeDistributed"} }

// attentionLayer rebuilds a layer of this family from its configuration, or returns
// nil, nil for another class.
func attentionLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	var l Layer
	var lerr error
	switch c.Class {
	case "MultiHeadAttention":
		heads, keyDim := r.size("num_heads", 1), r.size("key_dim", 1)
		if v := r.integer("value_dim"); r.err == nil && v != keyDim {
			r.err = errors.Errorf("config \"value_dim\": %d (only value_dim = key_dim is supported)", v)
		}
		opts := []Option{name, WithBias(r.boolean("use_bias")), WithAttentionDropout(r.float("dropout")),
			WithCausalMask(r.boolean("use_causal_mask")), WithReturnScores(r.boolean("return_attention_scores"))}
		if k := r.str("kernel_initializer"); k != "custom" {
			opts = append(opts, WithKernelInitializerName(k))
		}
		var reg map[string]float64
		r.decode("kernel_regularizer", &reg)
		if reg["l1"] != 0 || reg["l2"] != 0 {
			opts = append(opts, WithKernelRegularizer(graph.Regularizer{L1: reg["l1"], L2: reg["l2"]}))
		}
		if v, ok := c.Config["output_shape"]; ok && v != nil {
			opts = append(opts, WithOutputShape(r.size("output_shape", 1)))
		}
		m := MultiHeadAttention(heads, keyDim, opts...)
		l, lerr = m, m.err
	case "TimeDistributed":
		var inner LayerConfig
		r.decode("layer", &inner)
		if r.err != nil {
			break
		}
		switch inner.Class {
		case "TimeDistributed", "Residual", "Sequential", "Functional":
			return nil, errors.Errorf("layer %q (TimeDistributed): wrapping a %s is not supported", c.Name, inner.Class)
		}
		il, err := builtinLayer(inner)
		if err == nil && il == nil {
			il, err = familyLayer(inner)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "layer %q (TimeDistributed)", c.Name)
		}
		if il == nil {
			return nil, errors.Errorf("layer %q (TimeDistributed): unknown class %q", c.Name, inner.Class)
		}
		t := TimeDistributed(il, name)
		l, lerr = t, t.err
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	if lerr != nil {
		return nil, errors.Wrapf(lerr, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

// attentionOptions holds the settings of this family's options (see config).
type attentionOptions struct {
	outputShape  int     // MultiHeadAttention: 0 is the query's last axis
	causal       bool    // MultiHeadAttention: use_causal_mask
	dropout      float64 // MultiHeadAttention: on the attention weights
	returnScores bool    // MultiHeadAttention: return_attention_scores
}
