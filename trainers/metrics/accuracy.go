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

// sparseCategoricalAccuracyRow scores each position of a row: the row holds
// len(target) positions of len(pred)/len(target) classes, and a position hits
// when argmax of its classes equals its class id. As in Keras, an id that is
// not an integer in range never matches; a negative id marks a position that
// is not counted (an ignored token of a sequence target).
func sparseCategoricalAccuracyRow(pred, target []float64) (float64, float64) {
	k := len(pred) / len(target)
	var hits, n float64
	for i, id := range target {
		if id < 0 && len(target) > 1 {
			continue
		}
		n++
		if float64(argmax(pred[i*k:(i+1)*k])) == id {
			hits++
		}
	}
	return hits, n
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
