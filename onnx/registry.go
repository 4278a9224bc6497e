package onnx

// converters returns the converter of every layer type that can be exported,
// keyed by layers.Layer.Type(). It is built afresh for each export (no package
// state): the core layers here, the sequence layers from seqConverters.
func converters() map[string]Converter {
	m := map[string]Converter{
		"Dense":                  convDense,
		"Activation":             convActivation,
		"Dropout":                convIdentity,
		"Flatten":                convFlatten,
		"Reshape":                convReshape,
		"ZeroPadding2D":          convZeroPadding2D,
		"Conv2D":                 convConv2D,
		"Conv1D":                 convConv1D,
		"MaxPooling2D":           convPool2D,
		"AveragePooling2D":       convPool2D,
		"MaxPooling1D":           convPool1D,
		"AveragePooling1D":       convPool1D,
		"GlobalAveragePooling2D": convGlobalPool,
		"GlobalMaxPooling2D":     convGlobalPool,
		"GlobalAveragePooling1D": convGlobalPool,
		"GlobalMaxPooling1D":     convGlobalPool,
		"BatchNormalization":     convBatchNorm,
		"Normalization":          convNormalization,
		"Add":                    convMerge,
		"Subtract":               convMerge,
		"Multiply":               convMerge,
		"Average":                convMerge,
		"Maximum":                convMerge,
		"Minimum":                convMerge,
		"Concatenate":            convConcatenate,
		"Dot":                    convDot,
		"Residual":               convResidual,
		"CrossNet":               convCrossNet,
		"DotInteraction":         convDotInteraction,
		"FM":                     convFM,
		"CategoryEncoding":       convCategoryEncoding,
		"Discretization":         convDiscretization,
		"IntegerLookup":          convIntegerLookup,
	}
	for k, v := range seqConverters() {
		m[k] = v
	}
	return m
}

// refusal says why a layer type without a converter cannot be exported.
func refusal(typ string) string {
	switch typ {
	case "TextVectorization", "StringLookup", "Hashing", "HashedCrossing":
		return "ONNX has no operator for gokeras' string tokenizing, vocabulary lookup or hashing; export the model that takes the encoded ids and run this layer outside the ONNX file"
	}
	return "no ONNX converter for this layer type"
}

// convIdentity is a layer that does nothing at inference (Dropout).
func convIdentity(c *Context) ([]string, error) {
	return []string{c.Op("Identity", c.Inputs())}, nil
}
