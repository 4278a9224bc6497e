package graph

import "github.com/gokeras/gokeras/internal/vec"

// reluApplyFast writes reluApplyLoop's results for the first len(x)&^7
// elements of a []float32 x into y with internal/vec's AVX2 loop and returns
// how many it did: 0 for float64 or without AVX2.
func reluApplyFast[T float32 | float64](x, y []T) int {
	x32, ok := any(x).([]float32)
	if !ok {
		return 0
	}
	return vec.ReLU(x32, any(y).([]float32))
}

// reluDerivFast writes reluDerivLoop's results for the first len(x)&^7
// elements of []float32 x and g into y with internal/vec's AVX2 loop and
// returns how many it did: 0 for float64 or without AVX2.
func reluDerivFast[T float32 | float64](x, g, y []T) int {
	x32, ok := any(x).([]float32)
	if !ok {
		return 0
	}
	return vec.ReLUGrad(x32, any(g).([]float32), any(y).([]float32))
}
