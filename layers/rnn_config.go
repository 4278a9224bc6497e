package layers

// rnnLayerClasses lists the classes rnnLayer rebuilds: the recurrent layers (cells, RNN, Bidirectional).
func rnnLayerClasses() []string { return nil }

// rnnLayer rebuilds a layer of this family from its configuration, or returns
// nil, nil for another class.
func rnnLayer(c LayerConfig) (Layer, error) { return nil, nil }

// rnnOptions holds the settings of this family's options (see config).
type rnnOptions struct{}
