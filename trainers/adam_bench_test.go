package trainers

import (
	"math"
	"math/rand"
	"testing"
)

// BenchmarkAdamFloat32: one Adam update of a 1<<20-element float32 parameter
// (coupled weight decay, without and with AMSGrad), on one core (kernel) and
// split over the cores as the optimizer runs it (chunks).
func BenchmarkAdamFloat32(b *testing.B) {
	n := 1 << 20
	rnd := rand.New(rand.NewSource(5))
	mk := func() []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rnd.NormFloat64())
		}
		return s
	}
	w, g, m, v, vmax := mk(), mk(), mk(), mk(), make([]float32, n)
	for i := range v {
		v[i] = float32(math.Abs(float64(v[i])))
	}
	k := adamConsts{stepSize: 1e-3, sqrtBC2: 0.05, decay: 1, coupledWD: 0.01}
	for _, ams := range []bool{false, true} {
		c := optConfig{beta1: 0.9, beta2: 0.999, eps: 1e-7, amsgrad: ams}
		name := "plain"
		if ams {
			name = "amsgrad"
		}
		b.Run(name+"/kernel", func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				adamKernel(w, g, m, v, vmax, c, k)
			}
		})
		b.Run(name+"/chunks", func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				adamChunks(w, g, m, v, vmax, c, k)
			}
		})
	}
}
