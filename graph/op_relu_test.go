package graph

import (
	"math"
	"math/rand"
	"testing"
)

// TestReLUKernelsMatchGenericPath: ReLU's typed loops give, bit for bit, what the
// generic float64 path (elemApply/elemDeriv with math.Max and step) gives, for
// both dtypes, on random values and the special ones (±0, ±Inf, NaN).
func TestReLUKernelsMatchGenericPath(t *testing.T) {
	k := reluFn.fast()
	if k == nil {
		t.Fatal("relu has no typed kernels")
	}
	rng := rand.New(rand.NewSource(1))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-45, -1e-45, 3.5, -2}
	n := 5000 // large enough for parallelRows to split
	x64, g64 := make([]float64, n), make([]float64, n)
	for i := range x64 {
		x64[i], g64[i] = rng.NormFloat64(), rng.NormFloat64()
		if i < len(special)*len(special) {
			x64[i], g64[i] = special[i%len(special)], special[i/len(special)]
		}
	}
	x32, g32 := make([]float32, n), make([]float32, n)
	for i := range x64 {
		x32[i], g32[i] = float32(x64[i]), float32(g64[i])
	}
	same64 := func(what string, a, b []float64) {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%s float64 at %d (x %v g %v): typed %v, generic %v", what, i, x64[i], g64[i], a[i], b[i])
			}
		}
	}
	same32 := func(what string, a, b []float32) {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s float32 at %d (x %v g %v): typed %v, generic %v", what, i, x32[i], g32[i], a[i], b[i])
			}
		}
	}
	a64, b64 := make([]float64, n), make([]float64, n)
	must(t, k.apply64(x64, a64), elemApply(reluFn.f, x64, b64))
	same64("relu", a64, b64)
	must(t, k.deriv64(x64, g64, a64), elemDeriv(reluFn.df, x64, g64, b64))
	same64("relu gradient", a64, b64)
	a32, b32 := make([]float32, n), make([]float32, n)
	must(t, k.apply32(x32, a32), elemApply(reluFn.fn32().f, x32, b32))
	same32("relu", a32, b32)
	must(t, k.deriv32(x32, g32, a32), elemDeriv(reluFn.fn32().df, x32, g32, b32))
	same32("relu gradient", a32, b32)
}

func must(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkReLUApply: the forward pass on 37,632 random-sign float32 values
// (the first two ReLUs of the 32/64-filter CNN for one image).
func BenchmarkReLUApply(b *testing.B) {
	rnd := rand.New(rand.NewSource(3))
	x := make([]float32, 37632)
	for i := range x {
		x[i] = float32(rnd.NormFloat64())
	}
	y := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if err := reluApply(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReLUDeriv: the gradient on the values of BenchmarkReLUApply.
func BenchmarkReLUDeriv(b *testing.B) {
	rnd := rand.New(rand.NewSource(3))
	x, g := make([]float32, 37632), make([]float32, 37632)
	for i := range x {
		x[i], g[i] = float32(rnd.NormFloat64()), float32(rnd.NormFloat64())
	}
	y := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if err := reluDeriv(x, g, y); err != nil {
			b.Fatal(err)
		}
	}
}
