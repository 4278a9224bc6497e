package layers

// interactionLayerClasses lists the classes interactionLayer rebuilds: the
// recommender interaction layers (FM, CrossNet, DotInteraction, EmbeddingBag).
func interactionLayerClasses() []string { return nil }

// interactionLayer rebuilds an interaction layer from its configuration, or
// returns nil, nil for another class.
func interactionLayer(c LayerConfig) (Layer, error) { return nil, nil }

// interactionOptions holds the settings of the interaction layers' options (see
// config).
type interactionOptions struct{}
