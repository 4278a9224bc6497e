// Package datasets holds the data side of gokeras: the Dataset interface that
// trainers read batches from, an in-memory implementation backed by
// *tensor.Dense (Tensor), views and splits (Subset, SplitTail, TrainTestSplit),
// epoch batching (Batches), validation (CheckFinite), one-hot encoding (OneHot)
// and seeded synthetic generators (Linear, Logistic, XOR, Moons, Spirals).
//
// Shapes are given per example, without the batch dimension: a data set of
// 100 MNIST images has XShape [28 28 1] and Len 100. Values are stored as
// float32 or float64 and converted to the caller's dtype when gathered.
//
// Every function that can fail returns an error wrapped with context; no panic
// escapes the package. Randomness always comes from an explicit seed or
// *rand.Rand, so the same seed gives the same data, splits and batches.
//
// The package imports no other package of this module.
package datasets
