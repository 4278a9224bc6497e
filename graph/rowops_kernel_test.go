package graph

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelCase is one op of this package run on random data: inputs builds its
// inputs (shapes and values) for a dtype from a seed.
type kernelCase struct {
	name   string
	op     G.Op
	inputs func(dt tensor.Dtype, rng *rand.Rand) []*tensor.Dense
}

// randDense is a tensor of shape s of dtype dt with values from gen.
func randDense(dt tensor.Dtype, s tensor.Shape, gen func() float64) *tensor.Dense {
	n := s.TotalSize()
	if dt == tensor.Float32 {
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(gen())
		}
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(float32(gen())) // the same values in both dtypes
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
}

// kernelCases are the row and element-wise ops whose float32 paths compute without
// float64 copies of their tensors, at sizes of rows x cols.
func kernelCases(rows, cols int) []kernelCase {
	normal := func(rng *rand.Rand) func() float64 { return func() float64 { return 3 * rng.NormFloat64() } }
	prob := func(rng *rand.Rand) func() float64 { return func() float64 { return rng.Float64() } }
	target := func(rng *rand.Rand) func() float64 {
		return func() float64 { return float64(rng.Intn(cols+1) - 1) } // -1: a skipped row
	}
	m, v := tensor.Shape{rows, cols}, tensor.Shape{rows}
	c := tensor.Shape{cols}
	xent := func(probs, grad bool) kernelCase {
		gen := normal
		if probs {
			gen = prob
		}
		return kernelCase{fmt.Sprintf("sparse_xent/probs=%v/grad=%v", probs, grad), newSparseXentOp(probs, false, grad),
			func(dt tensor.Dtype, rng *rand.Rand) []*tensor.Dense {
				in := []*tensor.Dense{randDense(dt, m, gen(rng)), randDense(dt, v, target(rng))}
				if grad {
					in = append(in, randDense(dt, v, normal(rng)))
				}
				return in
			}}
	}
	ln := func(name string, op G.Op, shapes ...tensor.Shape) kernelCase {
		return kernelCase{name, op, func(dt tensor.Dtype, rng *rand.Rand) []*tensor.Dense {
			in := make([]*tensor.Dense, len(shapes))
			for i, s := range shapes {
				in[i] = randDense(dt, s, normal(rng))
			}
			return in
		}}
	}
	const eps = 1e-5
	unary := func(fn elemFunc) kernelCase {
		return ln(fn.name, unaryOp{opBase{name: fn.name, arity: 1}, fn}, m)
	}
	deriv := func(fn elemFunc) kernelCase {
		return ln("d"+fn.name, derivOp{opBase{name: "d" + fn.name, arity: 2}, noDiff{}, fn}, m, m)
	}
	return []kernelCase{
		xent(false, false), xent(false, true), xent(true, false), xent(true, true),
		ln("layer_norm", layerNormOp{opBase{name: "layer_norm2", arity: 3}, 2, eps}, m, c, c),
		ln("layer_norm_dx", layerNormDxOp{opBase{name: "layer_norm_dx2", arity: 3}, noDiff{}, 2, eps}, m, c, m),
		ln("layer_norm_dgamma", layerNormDgammaOp{opBase{name: "layer_norm_dgamma2", arity: 2}, noDiff{}, 2, eps}, m, m),
		unary(geluFn), deriv(geluFn), unary(geluTanhFn), deriv(geluTanhFn),
		ln("softmax", newRowOp(rowSoftmax), m),
		ln("log_softmax", newRowOp(rowLogSoftmax), m),
		ln("softmax_grad", newRowOp(rowSoftmaxGrad), m, m),
		ln("log_softmax_grad", newRowOp(rowLogSoftmaxGrad), m, m),
	}
}

func runKernel(t testing.TB, k kernelCase, in []*tensor.Dense, prealloc G.Value) *tensor.Dense {
	vals := make([]G.Value, len(in))
	for i, d := range in {
		vals[i] = d
	}
	op, ok := k.op.(G.UsePreallocDoer)
	if !ok {
		t.Fatalf("%s: no UsePreallocDo", k.name)
	}
	out, err := op.UsePreallocDo(prealloc, vals...)
	if err != nil {
		t.Fatalf("%s: %v", k.name, err)
	}
	return out.(*tensor.Dense)
}

// TestKernels32MatchFloat64 checks that each op's float32 kernel gives its float64
// kernel's values to float32 precision on the same random inputs, at sizes that run
// in one piece and split across cores, into a fresh and into a dirty preallocated
// output.
func TestKernels32MatchFloat64(t *testing.T) {
	for _, size := range [][2]int{{7, 5}, {300, 130}} {
		for _, k := range kernelCases(size[0], size[1]) {
			t.Run(fmt.Sprintf("%s/%dx%d", k.name, size[0], size[1]), func(t *testing.T) {
				in32 := k.inputs(tensor.Float32, rand.New(rand.NewSource(3)))
				in64 := k.inputs(tensor.Float64, rand.New(rand.NewSource(3)))
				want := runKernel(t, k, in64, nil).Data().([]float64)
				got := runKernel(t, k, in32, nil).Data().([]float32)
				dirty := make([]float32, len(got))
				for i := range dirty {
					dirty[i] = float32(math.NaN())
				}
				pre := tensor.New(tensor.WithShape(len(got)), tensor.WithBacking(dirty))
				again := runKernel(t, k, in32, pre).Data().([]float32)
				if len(got) != len(want) {
					t.Fatalf("%d values, want %d", len(got), len(want))
				}
				scale := 0.0
				for _, w := range want {
					scale = math.Max(scale, math.Abs(w))
				}
				for i, w := range want {
					for _, g := range []float32{got[i], again[i]} {
						// float32 rounding of the result, plus the reductions over a row
						if d := math.Abs(float64(g) - w); !(d <= 2e-7*math.Abs(w)+1e-7*scale) {
							t.Fatalf("value %d: float32 %g, float64 %g (difference %g)", i, g, w, d)
						}
					}
				}
			})
		}
	}
}

// BenchmarkKernels times the float32 kernels at the sizes of the GPT benchmark (batch
// 32 x context 128 rows: width 128, GELU width 512, a vocabulary of 96 characters).
func BenchmarkKernels(b *testing.B) {
	const rows = 32 * 128
	for _, cols := range []int{96, 128, 512} {
		for _, kc := range kernelCases(rows, cols) {
			if benchWidth(kc.name) != cols {
				continue
			}
			b.Run(kc.name, func(b *testing.B) {
				in := kc.inputs(tensor.Float32, rand.New(rand.NewSource(1)))
				out := runKernel(b, kc, in, nil)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					runKernel(b, kc, in, out)
				}
			})
		}
	}
}

// benchWidth is the row width of an op in the GPT benchmark.
func benchWidth(name string) int {
	switch {
	case strings.HasPrefix(name, "sparse_xent"):
		return 96
	case strings.Contains(name, "gelu"):
		return 512
	}
	return 128
}

// TestFastMath32 checks exp32, tanh32 and phi32 against math's functions to well
// inside float32 precision over the ranges the kernels meet.
func TestFastMath32(t *testing.T) {
	cases := []struct {
		name     string
		got, ref func(float64) float64
		lo, hi   float64
	}{
		{"exp32", exp32, math.Exp, -745, 709},
		{"tanh32", tanh32, math.Tanh, -30, 30},
		{"phi32", phi32, func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }, -37, 9},
	}
	for _, c := range cases {
		for i := 0; i <= 200000; i++ {
			x := c.lo + (c.hi-c.lo)*float64(i)/200000
			g, r := c.got(x), c.ref(x)
			if d := math.Abs(g - r); !(d <= 1e-9*math.Abs(r)+1e-300) {
				t.Fatalf("%s(%g) = %g, want %g (relative error %g)", c.name, x, g, r, d/math.Abs(r))
			}
		}
		for _, x := range []float64{math.Inf(1), math.Inf(-1)} {
			if g, r := c.got(x), c.ref(x); g != r {
				t.Errorf("%s(%g) = %g, want %g", c.name, x, g, r)
			}
		}
		if g := c.got(math.NaN()); !math.IsNaN(g) {
			t.Errorf("%s(NaN) = %g, want NaN", c.name, g)
		}
	}
}
