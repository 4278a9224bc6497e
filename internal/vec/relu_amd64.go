//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the CPU runs the AVX2 loops (set once at start-up).
var hasAVX2 = cpu.X86.HasAVX2

// HasAVX2 reports whether the loops of this package run (AVX2 on amd64).
func HasAVX2() bool { return hasAVX2 }

// ReLU sets y[i] = max(x[i], 0) for the first len(x)&^7 elements, with the bits
// of Go's builtin max (-0 gives +0, a NaN keeps its payload with the sign
// cleared), and returns how many it did. len(y) >= len(x).
func ReLU(x, y []float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	y = y[:n]
	reluApplyAVX2(n, &x[0], &y[0])
	return n
}

// ReLUGrad sets y[i] = g[i]·(1 if x[i] > 0 else 0) (a NaN x is not positive)
// for the first len(x)&^7 elements and returns how many it did. g and y are at
// least as long as x.
func ReLUGrad(x, g, y []float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	g, y = g[:n], y[:n]
	reluDerivAVX2(n, &x[0], &g[0], &y[0])
	return n
}

// reluApplyAVX2 sets y[i] = max(x[i], 0) for i < n (n a multiple of 8), with
// the bits of Go's builtin max: -0 gives +0, a NaN its payload with the sign
// cleared.
//
//go:noescape
func reluApplyAVX2(n int, x, y *float32)

// reluDerivAVX2 sets y[i] = grad[i]·(1 if x[i] > 0 else 0) for i < n (n a
// multiple of 8); a NaN x counts as not positive.
//
//go:noescape
func reluDerivAVX2(n int, x, grad, y *float32)
