package metrics

import "math"

// absErrorRow is the mean absolute error of one row (Keras' mae averages
// over the last axis, then over examples).
func absErrorRow(pred, target []float64) (float64, float64) {
	s := 0.0
	for i, p := range pred {
		s += math.Abs(p - target[i])
	}
	return s / float64(len(pred)), 1
}

// squaredErrorRow is the mean squared error of one row.
func squaredErrorRow(pred, target []float64) (float64, float64) {
	s, _ := squaredErrorSum(pred, target)
	return s / float64(len(pred)), 1
}

// squaredErrorSum is the total squared error of one row and its element
// count: rmse is the root of the mean over all elements, as in Keras'
// RootMeanSquaredError.
func squaredErrorSum(pred, target []float64) (float64, float64) {
	s := 0.0
	for i, p := range pred {
		d := p - target[i]
		s += d * d
	}
	return s, float64(len(pred))
}
