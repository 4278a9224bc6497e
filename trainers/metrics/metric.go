package metrics

// Metric accumulates a statistic over batches of predictions and targets.
//
// A Metric is not safe for concurrent use.
type Metric interface {
	// Name returns the Keras name used in logs, e.g. "accuracy", "mae", "auc".
	Name() string

	// Reset forgets every batch seen so far.
	Reset()

	// Update adds one batch. pred holds rows x predCols values in row-major
	// order: the model's output after its activation (probabilities for
	// classifiers). target holds rows x targetCols values; for the sparse
	// metrics targetCols is 1 and holds class ids as floats. Sizes that do
	// not fit the metric are an error and leave the metric unchanged.
	Update(pred []float64, predCols int, target []float64, targetCols int) error

	// Result returns the statistic over all batches since the last Reset;
	// 0 when no example has been seen.
	Result() float64
}
