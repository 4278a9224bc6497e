package layers

// featureLayerClasses lists the classes featureLayer rebuilds: the categorical
// feature layers (hashing, discretization, crossing).
func featureLayerClasses() []string { return nil }

// featureLayer rebuilds a categorical feature layer from its configuration, or
// returns nil, nil for another class.
func featureLayer(c LayerConfig) (Layer, error) { return nil, nil }

// featureOptions holds the settings of the categorical feature layers' options
// (see config).
type featureOptions struct{}
