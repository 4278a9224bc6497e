// Package graph is the only package of gokeras that talks to Gorgonia directly.
//
// It holds what every model is made of:
//
//   - Param: a named tensor owned by a model, shared by every compiled graph.
//   - Initializer: seeded weight initializers (Glorot, He, LeCun, constants, random).
//   - Graph: the build context one program is compiled from: its Gorgonia
//     expression graph, the Mode (Train or Infer), the dtype, the batch size, the
//     random feeds (dropout masks) filled from a seeded source before every run, the
//     logits behind each softmax or sigmoid output, and regularization penalties.
//   - Numerically safe ops written as Gorgonia Ops of our own: activations,
//     softmax and log-softmax over the last axis, bias addition, one-hot encoding.
//   - Losses as graph expressions (mean over the batch, Keras semantics).
//   - CheckGradient: a float64 finite-difference gradient checker for tests.
//
// Gorgonia v0.9.18 has silent numerical bugs (see DESIGN.md in the shared folder):
// its SoftMax takes the maximum of the whole tensor, its Dropout scales the gradient
// by 1/p and seeds from the clock, and reductions over several axes at once have a
// wrong gradient. This package never uses those: every such op is written here, and
// reductions are chained one axis at a time.
//
// Shapes in this package include the batch dimension first: a Dense input is
// (batch, features), a softmax acts on the last axis.
package graph
