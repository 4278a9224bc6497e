package trainers

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// adamSpecials are float32 values the assembly must treat as the Go loop does:
// signed zeros, infinities, NaNs with different payloads (a signalling one
// too), denormals and values near the float32 limit.
var adamSpecials = []float32{
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0xffc00000), math.Float32frombits(0x7fc12345),
	math.Float32frombits(0x7f800001), 1e-45, -1e-45, 1e-40, -3e-39,
	3e38, -3e38, 1e20, -1e-20, 1, -1, 0.5,
}

// TestAdamKernelMatchesGo: adamKernel (the AVX2 kernel on float32 where the
// CPU has it, the Go loop on the tail) gives, bit for bit, adamKernelGo's w,
// m, v and vmax, on random and special values, for lengths around the 8-wide
// blocks, with and without AMSGrad and with coupled and decoupled decay.
func TestAdamKernelMatchesGo(t *testing.T) {
	if !hasAdamAVX2 {
		t.Log("no AVX2 kernel in this build: adamKernel is the Go loop")
	}
	rnd := rand.New(rand.NewSource(11))
	val := func(special bool) float32 {
		if special && rnd.Intn(3) == 0 {
			return adamSpecials[rnd.Intn(len(adamSpecials))]
		}
		return float32(rnd.NormFloat64())
	}
	type tcase struct {
		n       int
		ams     bool
		special bool
		k       adamConsts
	}
	coupled := adamConsts{stepSize: 1e-3, sqrtBC2: 0.05, decay: 1, coupledWD: 0.01}
	decoupled := adamConsts{stepSize: 3e-2, sqrtBC2: 0.7, decay: 1 - 1e-3*0.004, coupledWD: 0}
	var cases []tcase
	for _, n := range []int{0, 1, 7, 8, 9, 31, 33, 1000} {
		for _, ams := range []bool{false, true} {
			for _, special := range []bool{false, true} {
				for _, k := range []adamConsts{coupled, decoupled} {
					cases = append(cases, tcase{n, ams, special, k})
				}
			}
		}
	}
	for _, tc := range cases {
		name := fmt.Sprintf("n=%d/ams=%v/special=%v/wd=%v", tc.n, tc.ams, tc.special, tc.k.coupledWD)
		t.Run(name, func(t *testing.T) {
			c := optConfig{beta1: 0.9, beta2: 0.999, eps: 1e-7, amsgrad: tc.ams}
			mk := func() []float32 {
				s := make([]float32, tc.n)
				for i := range s {
					s[i] = val(tc.special)
				}
				return s
			}
			w, g, m, v, vmax := mk(), mk(), mk(), mk(), mk()
			if !tc.special {
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i])))
					vmax[i] = float32(math.Abs(float64(vmax[i])))
				}
			}
			cp := func(s []float32) []float32 { return append([]float32(nil), s...) }
			w2, m2, v2, vmax2 := cp(w), cp(m), cp(v), cp(vmax)
			if !tc.ams {
				vmax, vmax2 = nil, nil
			}
			if d := adamFast(w, g, m, v, vmax, c, tc.k); hasAdamAVX2 && d != tc.n&^7 {
				t.Fatalf("adamFast did %d elements, want %d", d, tc.n&^7)
			}
			copy(w, w2)
			copy(m, m2)
			copy(v, v2)
			copy(vmax, vmax2)
			adamKernel(w, g, m, v, vmax, c, tc.k)
			adamKernelGo(w2, g, m2, v2, vmax2, c, tc.k)
			for _, s := range []struct {
				what string
				a, b []float32
			}{{"w", w, w2}, {"m", m, m2}, {"v", v, v2}, {"vmax", vmax, vmax2}} {
				for i := range s.a {
					if math.Float32bits(s.a[i]) != math.Float32bits(s.b[i]) {
						t.Fatalf("%s[%d] = %#x (%v), Go loop %#x (%v); g %v", s.what, i,
							math.Float32bits(s.a[i]), s.a[i], math.Float32bits(s.b[i]), s.b[i], g[i])
					}
				}
			}
		})
	}
}
