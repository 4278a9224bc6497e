package layers

// The layer families that rebuild their own layers from a configuration: each
// family's rebuild function returns nil, nil for a class that is not its own.
// (Families live in files of their own: conv_config.go, feature_config.go,
// interaction_config.go, conv1d_config.go, sequtil_config.go, rnn_config.go,
// attention_config.go, transformer_config.go.)

// familyLayerClasses lists the classes the families rebuild.
func familyLayerClasses() []string {
	out := convLayerClasses()
	out = append(out, featureLayerClasses()...)
	out = append(out, interactionLayerClasses()...)
	out = append(out, conv1DLayerClasses()...)
	out = append(out, seqUtilLayerClasses()...)
	out = append(out, rnnLayerClasses()...)
	out = append(out, attentionLayerClasses()...)
	out = append(out, textVecLayerClasses()...)
	return append(out, transformerLayerClasses()...)
}

// familyLayer rebuilds a layer of one of the families, or returns nil, nil.
func familyLayer(c LayerConfig) (Layer, error) {
	for _, rebuild := range []func(LayerConfig) (Layer, error){convLayer, featureLayer, interactionLayer, conv1DLayer, seqUtilLayer, rnnLayer, attentionLayer, transformerLayer, textVecLayer} {
		l, err := rebuild(c)
		if l != nil || err != nil {
			return l, err
		}
	}
	return nil, nil
}
