package metrics

// binaryThreshold is the default decision threshold of binary_accuracy,
// precision and recall, as in Keras: a prediction is positive when it is
// strictly greater than 0.5.
const binaryThreshold = 0.5

// binaryAccuracyRow is the fraction of the row's columns where
// (pred > 0.5) equals the target (compared exactly, as Keras does, so
// targets should be 0 or 1).
func binaryAccuracyRow(pred, target []float64) (float64, float64) {
	hits := 0
	for i, p := range pred {
		guess := 0.0
		if p > binaryThreshold {
			guess = 1
		}
		if guess == target[i] {
			hits++
		}
	}
	return float64(hits) / float64(len(pred)), 1
}

// categoricalAccuracyRow is 1 when argmax(pred) == argmax(target).
func categoricalAccuracyRow(pred, target []float64) (float64, float64) {
	if argmax(pred) == argmax(target) {
		return 1, 1
	}
	return 0, 1
}

// sparseCategoricalAccuracyRow is 1 when argmax(pred) equals the class id in
// target[0]. As in Keras, an id that is not an integer in range never matches.
func sparseCategoricalAccuracyRow(pred, target []float64) (float64, float64) {
	if float64(argmax(pred)) == target[0] {
		return 1, 1
	}
	return 0, 1
}

// argmax returns the index of the first largest value of a non-empty row;
// ties go to the lowest index, as with tf.argmax.
func argmax(row []float64) int {
	best := 0
	for i := 1; i < len(row); i++ {
		if row[i] > row[best] {
			best = i
		}
	}
	return best
}
