package layers

// conv1DLayerClasses lists the classes conv1DLayer rebuilds: the 1-D convolution
// and pooling layers.
func conv1DLayerClasses() []string { return nil }

// conv1DLayer rebuilds a 1-D convolution or pooling layer from its configuration,
// or returns nil, nil for another class.
func conv1DLayer(c LayerConfig) (Layer, error) { return nil, nil }

// conv1DOptions holds the settings of the 1-D layers' options (see config).
type conv1DOptions struct{}
