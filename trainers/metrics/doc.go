// Package metrics computes streaming training and evaluation metrics on the
// host from a model's predictions, with the names and semantics of Keras.
//
// A Metric accumulates over batches: call Update once per batch, read Result
// at any time, and Reset between epochs. Predictions and targets are flat,
// row-major float64 slices with their column counts, so the package does not
// depend on any tensor library.
//
// Metrics are created by name with New, which accepts the Keras spellings and
// aliases ("acc", "mean_absolute_error", ...) and reports the canonical name
// through Metric.Name for logs and History. Accuracy, MAE and MSE are means
// over all examples seen (sums divided by counts, not means of batch means),
// RMSE is the square root of the total squared error over the element count,
// Precision and Recall count over all elements at threshold 0.5, and AUC
// approximates the ROC area as tf.keras.metrics.AUC does with its defaults.
//
// Nothing in the package panics on bad input: a size mismatch is an error
// that names the metric and the sizes, and a failed Update leaves the metric
// unchanged.
package metrics
