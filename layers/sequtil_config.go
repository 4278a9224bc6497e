package layers

// seqUtilLayerClasses lists the classes seqUtilLayer rebuilds: the sequence
// utility layers (normalization, positions, masking, repetition).
func seqUtilLayerClasses() []string { return nil }

// seqUtilLayer rebuilds a sequence utility layer from its configuration, or
// returns nil, nil for another class.
func seqUtilLayer(c LayerConfig) (Layer, error) { return nil, nil }

// seqUtilOptions holds the settings of the sequence utility layers' options (see
// config).
type seqUtilOptions struct{}
