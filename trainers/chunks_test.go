package trainers

import (
	"math"
	"math/rand"
	"sync/atomic"
	"testing"
)

// TestForChunks: every index is visited exactly once, small ranges stay on
// one call, and a panic in a chunk reaches the caller.
func TestForChunks(t *testing.T) {
	for _, n := range []int{0, 1, minChunk, 2*minChunk - 1, 2 * minChunk, 5*minChunk + 7} {
		seen := make([]int32, n)
		var calls atomic.Int32
		forChunks(n, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, c)
			}
		}
		if n < 2*minChunk && calls.Load() != 1 {
			t.Errorf("n=%d: %d calls, want 1", n, calls.Load())
		}
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the chunk's panic", r)
		}
	}()
	forChunks(4*minChunk, func(lo, hi int) {
		if lo > 0 {
			panic("boom")
		}
	})
	t.Error("no panic")
}

// TestAdamChunksMatchOneCall: the parallel Adam update is bit-identical to one
// call of the kernel on the whole parameter, with and without AMSGrad.
func TestAdamChunksMatchOneCall(t *testing.T) {
	rnd := rand.New(rand.NewSource(9))
	n := 3*minChunk + 11
	for _, ams := range []bool{false, true} {
		c := optConfig{beta1: 0.9, beta2: 0.999, eps: 1e-7, amsgrad: ams}
		k := adamConsts{stepSize: 1e-3, sqrtBC2: 0.05, decay: 1, coupledWD: 0.01}
		mk := func() []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = float32(rnd.NormFloat64())
			}
			return s
		}
		w, g, m, v := mk(), mk(), mk(), mk()
		for i := range v {
			v[i] = float32(math.Abs(float64(v[i])))
		}
		vmax := make([]float32, n)
		cp := func(s []float32) []float32 { return append([]float32(nil), s...) }
		w2, m2, v2, vmax2 := cp(w), cp(m), cp(v), cp(vmax)
		adamChunks(w, g, m, v, vmax, c, k)
		adamKernel(w2, g, m2, v2, vmax2, c, k)
		for i := range w {
			if math.Float32bits(w[i]) != math.Float32bits(w2[i]) || m[i] != m2[i] || v[i] != v2[i] || vmax[i] != vmax2[i] {
				t.Fatalf("amsgrad=%v: element %d differs: w %v / %v", ams, i, w[i], w2[i])
			}
		}
	}
}
