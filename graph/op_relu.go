package graph

// ReLU's typed kernels. The generic element-wise path (elemApply, elemDeriv)
// widens each value to float64 and calls the function through a closure, which
// made ReLU and its gradient about 29% of LeNet's training time in the pure-Go
// build; these loops give the same bits (NaN passes through, -0 becomes +0, the
// gradient is g·1 or g·0 as in float64) without the conversions and calls.

// elemKernels are typed loops for an elemFunc, used instead of elemApply and
// elemDeriv when set; they must give exactly the generic path's results.
type elemKernels struct {
	apply32 func(x, y []float32) error
	deriv32 func(x, g, y []float32) error
	apply64 func(x, y []float64) error
	deriv64 func(x, g, y []float64) error
}

// elemFast holds, by elemFunc name, typed loops that replace the generic path
// (read-only after initialization, like elem32).
var elemFast = map[string]*elemKernels{
	"relu": {reluApply[float32], reluDeriv[float32], reluApply[float64], reluDeriv[float64]},
}

// reluApply writes max(x, 0) into y (NaN stays NaN, as math.Max gives).
func reluApply[T float32 | float64](x, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		ys := y[lo:hi]
		// The builtin max compiles to a branch-free sequence: on the random
		// signs of activations a branch here mispredicts half the time
		// (4x slower). max(-0, 0) is +0 and max(NaN, 0) is NaN.
		for i, v := range x[lo:hi] {
			ys[i] = max(v, 0)
		}
		return nil
	})
}

// reluDeriv writes g·step(x) into y: g where x > 0, g·0 elsewhere (NaN for an
// infinite or NaN g, -0 for a negative g, as the float64 product gives).
func reluDeriv[T float32 | float64](x, g, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		ys, gs := y[lo:hi], g[lo:hi]
		// g·1 or g·0 through a conditional move, not a branch (see
		// reluApply).
		for i, v := range x[lo:hi] {
			var s T
			if v > 0 {
				s = 1
			}
			ys[i] = gs[i] * s
		}
		return nil
	})
}
