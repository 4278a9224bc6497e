package onnx

// seqConverters returns the converters of the sequence layers (Embedding,
// LayerNormalization, attention, recurrent and transformer layers, positional
// layers, Masking, RepeatVector, TimeDistributed), keyed by layer type. Owned by
// the sequence-layer work (onnx/seq_*.go). They override the core entries of the
// same type: Dense, Activation and Dropout are the core converters plus the
// passing of Keras masks (seq_mask.go), and the 1-D global poolings are the core
// ones unless the input carries a mask.
func seqConverters() map[string]Converter {
	return map[string]Converter{
		"Embedding":              seqEmbedding,
		"PositionalEmbedding":    seqPositionalEmbedding,
		"SinusoidalEncoding":     seqSinusoidalEncoding,
		"LayerNormalization":     seqLayerNormalization,
		"MultiHeadAttention":     seqMultiHeadAttention,
		"TransformerEncoder":     seqTransformer,
		"TransformerDecoder":     seqTransformer,
		"SimpleRNN":              seqRNN,
		"LSTM":                   seqRNN,
		"GRU":                    seqRNN,
		"RNN":                    seqRNN,
		"Bidirectional":          seqBidirectional,
		"RepeatVector":           seqRepeatVector,
		"Masking":                seqMasking,
		"TimeDistributed":        seqTimeDistributed,
		"EmbeddingBag":           seqEmbeddingBag,
		"Dense":                  passingMask(convDense),
		"Activation":             passingMask(convActivation),
		"Dropout":                passingMask(convIdentity),
		"GlobalAveragePooling1D": maskedGlobalPool(convGlobalPool),
		"GlobalMaxPooling1D":     maskedGlobalPool(convGlobalPool),
	}
}
