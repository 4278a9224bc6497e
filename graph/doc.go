// Package graph is the only package of gokeras that talks to Gorgonia directly.
//
// It holds what every model is made of:
//
//   - Param: a named tensor owned by a model, shared by every compiled graph, with
//     its Regularizer (L1, L2: the penalty a trainer adds to the loss).
//   - Initializer: seeded weight initializers (Glorot, He, LeCun, constants, random).
//   - Graph: the build context one program is compiled from: its Gorgonia
//     expression graph, the Mode (Train or Infer), the dtype, the batch size, the
//     inputs (Input for the float type, InputOf for any dtype, such as int64 ids),
//     the random feeds (dropout masks) filled from a seeded source before every run,
//     the logits behind each softmax or sigmoid output, the masks recorded by
//     layers (SetMask, Mask: 1 for a real step, 0 for padding), and regularization
//     penalties (AddPenalty for a term of your own; WeightPenalties builds those of
//     every bound parameter that has a Regularizer, in binding order).
//   - Numerically safe ops written as Gorgonia Ops of our own: activations,
//     softmax and log-softmax over the last axis, bias addition, one-hot encoding,
//     convolution, pooling, batch normalization, and the ops of functional models
//     listed below.
//   - Losses as graph expressions (mean over the batch, Keras semantics).
//   - Executor: runs a compiled graph and keeps each node's output tensor between
//     runs; ComputeOnly skips the nodes nothing reads (the gradient with respect
//     to the inputs), ReuseBuffers hands a freed output's memory to a later node
//     (inference peaks at the values alive together, not at all of them).
//   - CheckGradient: a float64 finite-difference gradient checker for tests.
//
// The ops behind functional models' layers (Embedding, the merges), each with a
// gradient checked against finite differences and PyTorch:
//
//   - Gather: an embedding lookup, a table row per integer id (Int, Int32 or
//     Int64); repeated ids accumulate their gradient. An id outside the table
//     fails the run with an *IndexError naming the example (Row), the position
//     within it, the id and the table size; it survives wrapping (errors.As).
//     NotEqualZero gives the mask of padding ids (0), as Keras' mask_zero.
//   - Concat joins tensors along an axis numbered as Keras numbers it: the batch
//     axis is 0, -1 the last.
//   - Maximum and Minimum, element-wise; where both inputs are equal each gets
//     half of the gradient, PyTorch's tie rule (torch.maximum, torch.minimum).
//   - BatchDot: Keras' batch_dot (the Dot layer), optionally on L2-normalized
//     inputs (cosine similarity); L2Normalize alone is PyTorch's F.normalize.
//
// Gorgonia v0.9.18 has silent numerical bugs (README.md, section Correctness): its SoftMax takes the maximum of the whole tensor, its Dropout scales
// the gradient by 1/p and seeds from the clock, reductions over several axes at once
// have a wrong gradient, and its ByIndices lookup does not check its indices. This
// package never uses those: every such op is written here, reductions are chained
// one axis at a time, and Gather checks every id.
//
// Shapes in this package include the batch dimension first: a Dense input is
// (batch, features), a softmax acts on the last axis.
package graph
