package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// interactionLayerClasses lists the classes interactionLayer rebuilds: the
// recommender interaction layers (FM, CrossNet, DotInteraction, EmbeddingBag).
func interactionLayerClasses() []string {
	return []string{"CrossNet", "DotInteraction", "EmbeddingBag", "FM"}
}

// interactionLayer rebuilds an interaction layer from its configuration, or
// returns nil, nil for another class.
func interactionLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	var l Layer
	switch c.Class {
	case "FM":
		l = FM(name, WithKeepDims(r.boolean("keep_dims")))
	case "DotInteraction":
		l = DotInteraction(name, WithSelfInteraction(r.boolean("self_interaction")))
	case "CrossNet":
		opts := []Option{name, WithBias(r.boolean("use_bias"))}
		var rank *int
		r.decode("projection_dim", &rank)
		if rank != nil {
			if r.err == nil && (*rank < 1 || *rank > maxConfigInt) {
				r.err = errors.Errorf("config \"projection_dim\": %d is not null or in [1, %d]", *rank, maxConfigInt)
			}
			opts = append(opts, WithLowRank(*rank))
		}
		if k := r.str("kernel_initializer"); k != "custom" {
			opts = append(opts, WithKernelInitializerName(k))
		}
		if k := r.str("bias_initializer"); k != "custom" {
			opts = append(opts, interactionBiasInitName(k))
		}
		var reg map[string]float64
		r.decode("kernel_regularizer", &reg)
		if reg["l1"] != 0 || reg["l2"] != 0 {
			opts = append(opts, WithKernelRegularizer(graph.Regularizer{L1: reg["l1"], L2: reg["l2"]}))
		}
		l = CrossNet(r.size("layers", 1), opts...)
	case "EmbeddingBag":
		opts := []Option{name, WithCombiner(r.str("combiner")), WithPaddingID(r.integer("padding_id"))}
		if k := r.str("embeddings_initializer"); k != "custom" {
			opts = append(opts, WithEmbeddingsInitializerName(k))
		}
		l = EmbeddingBag(r.size("input_dim", 1), r.size("output_dim", 1), opts...)
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

// interactionOptions holds the settings of the interaction layers' options (see
// config).
type interactionOptions struct {
	keepDims  bool   // FM: WithKeepDims
	lowRank   int    // CrossNet: WithLowRank (0: full rank)
	self      bool   // DotInteraction: WithSelfInteraction
	combiner  string // EmbeddingBag: WithCombiner ("": sum)
	paddingID int    // EmbeddingBag: WithPaddingID (default 0, applied when not set)
}

// interactionBiasInitName sets the bias initializer by Keras name, for rebuilding
// a saved layer (the option a user gives is WithBiasInitializer).
func interactionBiasInitName(name string) Option {
	return optionFunc(func(c *config) { c.biasInit = nil; c.biasInitName = name; c.set["bias_initializer"] = true })
}
