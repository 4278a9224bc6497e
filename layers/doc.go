// Package layers holds the Keras-like model API of gokeras: the Layer interface,
// the layers (Input, Dense, Activation, Dropout, Flatten, Reshape), and Sequential,
// a stack of layers with shape inference and a Keras-style Summary.
//
// Shapes given to and returned by layers exclude the batch dimension: Input(784)
// declares examples of shape (784); in a graph, the node has shape (batch, 784).
// Only the first layer states a size; every other layer infers its input shape
// from the layer before it, and creates its parameters once, when the model is
// built (Sequential.Build, called by trainers.New with the trainer's seed).
//
// A model owns its weights (graph.Param). Forward may be called on any number of
// graphs (a training graph at batch 32, an inference graph at batch 1, ...): each
// binds its parameter nodes to the same tensors.
package layers
