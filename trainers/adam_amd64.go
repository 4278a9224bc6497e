//go:build amd64 && !purego

package trainers

import "golang.org/x/sys/cpu"

// hasAdamAVX2 reports whether the CPU runs the AVX2 Adam kernel (adam_amd64.s).
var hasAdamAVX2 = cpu.X86.HasAVX2

// adamFast runs the AVX2 Adam update on the first len(w)&^7 elements of a
// []float32 parameter (all slices of len(w); vmax nil without AMSGrad) and
// returns how many it did: 0 for float64, for a named float type or without
// AVX2. The caller finishes the rest with the Go loop; every operation is the
// Go loop's, rounded the same, so the bits do not depend on the split.
func adamFast[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) int {
	n := len(w) &^ 7
	if !hasAdamAVX2 || n == 0 {
		return 0
	}
	w32, ok := any(w).([]float32)
	if !ok {
		return 0
	}
	g32, m32, v32 := any(g).([]float32), any(m).([]float32), any(v).([]float32)
	_, _, _ = g32[n-1], m32[n-1], v32[n-1]
	var vm *float32
	if c.amsgrad {
		vmax32 := any(vmax).([]float32)
		vm = &vmax32[:n][0]
	}
	b1, b2 := float32(c.beta1), float32(c.beta2)
	p := adamParams32{
		b1: b1, omb1: 1 - b1, b2: b2, omb2: 1 - b2,
		eps: float32(c.eps), step: float32(k.stepSize), bc2: float32(k.sqrtBC2),
		decay: float32(k.decay), wd: float32(k.coupledWD),
	}
	adamAVX2(n, &w32[0], &g32[0], &m32[0], &v32[0], vm, &p)
	return n
}

// adamParams32 are adamKernel's float32 constants, in the order adam_amd64.s
// reads them (offsets 0, 4, ..., 32).
type adamParams32 struct {
	b1, omb1, b2, omb2, eps, step, bc2, decay, wd float32
}

// adamAVX2 applies adamKernel's update to n elements (n a multiple of 8) of
// w, grad, m, v and, when vmax is not nil, vmax (AMSGrad), 8 at a time with
// unfused AVX instructions in the Go loop's order.
//
//go:noescape
func adamAVX2(n int, w, grad, m, v, vmax *float32, p *adamParams32)
