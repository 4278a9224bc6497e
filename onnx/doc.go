// Package onnx exports gokeras models (Sequential or Functional, nested models,
// shared layers, several inputs and outputs) to ONNX files that ONNX Runtime and
// other ONNX tools run.
//
// Export writes the model to an io.Writer, Save to a file (atomically). The file
// uses IR version 8 and the default ONNX domain at opset 17 (WithOpset chooses 13
// to 17). Every input and output keeps gokeras' layout (images stay NHWC) with a
// dynamic first dimension named "batch"; weights are initializers in the model's
// float type (float32 or float64), each written once even when a layer is shared.
// Graph inputs are named after the model's Input layers and outputs after the
// model's outputs, unless WithInputNames / WithOutputNames rename them.
//
// Each layer type has a converter (a Converter, see Context) that emits ONNX nodes
// for one call of the layer; WithConverter adds one for a custom layer. A layer
// without one is an error naming the layer and its type:
//
//	onnx: layer "text_vectorization" (TextVectorization) cannot be exported: ONNX has no ...
//
// The string and hashing preprocessing layers (TextVectorization, StringLookup,
// Hashing, HashedCrossing) are refused on purpose: ONNX's default domain has no
// equivalent of their tokenizers, vocabularies and hash; export the model that
// takes their ids instead. IntegerLookup is exported with 0 or 1
// out-of-vocabulary ids only (several are chosen by gokeras' hash).
//
// Layers exported: Dense (any input rank), Activation and every gokeras
// activation (gelu in its exact erf form, gelu_tanh in its tanh form), Dropout
// (identity), Flatten, Reshape, ZeroPadding2D, Conv2D and Conv1D (same, valid,
// causal; strides, dilation), Max/AveragePooling 1D and 2D (padded positions left
// out of averages, as gokeras), GlobalAverage/MaxPooling 1D and 2D,
// BatchNormalization (inference, folded to a scale and shift), Normalization,
// the merges (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate,
// Dot with normalize), Residual, CrossNet, DotInteraction, FM,
// CategoryEncoding, Discretization, IntegerLookup, models used as layers, and
// the sequence layers (Embedding, EmbeddingBag, LayerNormalization, attention,
// recurrent and transformer layers, positional layers, RepeatVector, Masking,
// TimeDistributed, Bidirectional; files seq_*.go).
//
// Keras masks (Embedding WithMaskZero, Masking) are exported: attention and pooling
// leave masked steps out as gokeras does, and a masked recurrent layer is unrolled
// step by step (a padded step keeps the previous state wherever the padding is);
// unmasked recurrent layers use ONNX's LSTM, GRU and RNN operators, except in
// float64 models, which are unrolled (ONNX Runtime has no float64 LSTM). Negative
// ids are mapped past the table so that ONNX Runtime refuses them as gokeras does.
// A model with variable steps is exported at its declared length.
//
// Where ONNX differs from gokeras on bad data: gokeras fails the run on an id out
// of range (CategoryEncoding) or a NaN (Discretization); the ONNX graph gives a row
// of zeros and bucket 0. ONNX Runtime's CPU provider has no float64 Conv,
// AveragePool or Erf: export a float64 model WithFloatType(tensor.Float32) to run
// it there.
package onnx
