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

// reluApply writes max(x, 0) into y (NaN stays NaN, as math.Max gives), over
// the cores (parallelRows); on each part the AVX2 loop (reluApplyFast) takes
// float32 blocks of 8 where the CPU has it and reluApplyLoop the rest, with
// the same bits.
func reluApply[T float32 | float64](x, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		d := lo + reluApplyFast(x[lo:hi], y[lo:hi])
		reluApplyLoop(x[d:hi], y[d:hi])
		return nil
	})
}

// reluApplyLoop writes max(x[i], 0) into y[i] for i < len(x) (len(y) >=
// len(x)): -0 gives +0, a NaN stays NaN (the builtin max clears its sign).
func reluApplyLoop[T float32 | float64](x, y []T) {
	y = y[:len(x)]
	// The builtin max compiles to a branch-free sequence: on the random
	// signs of activations a branch here mispredicts half the time
	// (4x slower). max(-0, 0) is +0 and max(NaN, 0) is NaN.
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// reluDeriv writes g·step(x) into y: g where x > 0, g·0 elsewhere (NaN for an
// infinite or NaN g, -0 for a negative g, as the float64 product gives), over
// the cores; the AVX2 loop (reluDerivFast) takes float32 blocks of 8 where the
// CPU has it and reluDerivLoop the rest.
func reluDeriv[T float32 | float64](x, g, y []T) error {
	return parallelRows(len(x), 1, func(_, lo, hi int) error {
		d := lo + reluDerivFast(x[lo:hi], g[lo:hi], y[lo:hi])
		reluDerivLoop(x[d:hi], g[d:hi], y[d:hi])
		return nil
	})
}

// reluDerivLoop writes g[i]·(1 if x[i] > 0 else 0) into y[i] for i < len(x)
// (g and y at least as long; a NaN x gives g·0).
func reluDerivLoop[T float32 | float64](x, g, y []T) {
	g, y = g[:len(x)], y[:len(x)]
	// g·1 or g·0 through a conditional move, not a branch (see
	// reluApplyLoop).
	for i, v := range x {
		var s T
		if v > 0 {
			s = 1
		}
		y[i] = g[i] * s
	}
}
