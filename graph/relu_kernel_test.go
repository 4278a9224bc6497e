package graph

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/internal/vec"
)

// reluSpecials are float32 values the assembly must treat as the Go loops do:
// signed zeros, infinities, NaNs of both signs with different payloads
// (signalling ones too), denormals and values near the float32 limit.
var reluSpecials = []float32{
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0xffc00000), math.Float32frombits(0x7fc12345),
	math.Float32frombits(0xffc54321), math.Float32frombits(0x7f800001), math.Float32frombits(0xff800003),
	1e-45, -1e-45, 1e-40, -3e-39, 3.4e38, -3.4e38, 1, -1,
}

// TestReLUAsmMatchesGoLoop: reluApply and reluDeriv on float32 (the AVX2
// loops where the CPU has them, over the cores) give, bit for bit, the Go
// loops' results, on random values and every pair of special values, for
// lengths around the 8- and 32-element blocks and one that parallelRows splits.
func TestReLUAsmMatchesGoLoop(t *testing.T) {
	if !vec.HasAVX2() {
		t.Log("no AVX2 ReLU in this build: only the Go loops run")
	}
	rnd := rand.New(rand.NewSource(4))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 33, 1000, 5003} {
		for _, special := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/special=%v", n, special), func(t *testing.T) {
				x, g := make([]float32, n), make([]float32, n)
				for i := range x {
					x[i], g[i] = float32(rnd.NormFloat64()), float32(rnd.NormFloat64())
					if special {
						ns := len(reluSpecials)
						j := (i + rnd.Intn(2)*ns*ns) % (ns * ns)
						x[i], g[i] = reluSpecials[j%ns], reluSpecials[j/ns]
					}
				}
				same := func(what string, a, b []float32) {
					t.Helper()
					for i := range a {
						if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
							t.Fatalf("%s at %d (x %#x g %#x): asm %#x, Go %#x", what, i,
								math.Float32bits(x[i]), math.Float32bits(g[i]), math.Float32bits(a[i]), math.Float32bits(b[i]))
						}
					}
				}
				want, got, fast := make([]float32, n), make([]float32, n), make([]float32, n)
				reluApplyLoop(x, want)
				must(t, reluApply(x, got))
				same("relu", got, want)
				if d := reluApplyFast(x, fast); vec.HasAVX2() && d != n&^7 {
					t.Fatalf("reluApplyFast did %d elements, want %d", d, n&^7)
				}
				same("relu (asm part)", fast[:n&^7], want[:n&^7])
				reluDerivLoop(x, g, want)
				must(t, reluDeriv(x, g, got))
				same("relu gradient", got, want)
				if d := reluDerivFast(x, g, fast); vec.HasAVX2() && d != n&^7 {
					t.Fatalf("reluDerivFast did %d elements, want %d", d, n&^7)
				}
				same("relu gradient (asm part)", fast[:n&^7], want[:n&^7])
			})
		}
	}
}
