package layers

// attentionLayerClasses lists the classes attentionLayer rebuilds: the attention layers (MultiHeadAttention, TimeDistributed).
func attentionLayerClasses() []string { return nil }

// attentionLayer rebuilds a layer of this family from its configuration, or returns
// nil, nil for another class.
func attentionLayer(c LayerConfig) (Layer, error) { return nil, nil }

// attentionOptions holds the settings of this family's options (see config).
type attentionOptions struct{}
