package main

import (
	"math"
	"math/rand"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

var installOnce sync.Once

func testBackend(t *testing.T) backends.Backend {
	t.Helper()
	installOnce.Do(func() { installVJPs(true) })
	b, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randData(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*2 - 1
	}
	return v
}

func flat(t *testing.T, x *tensors.Tensor) []float64 {
	var out []float64
	x.MustConstFlatData(func(f any) { out = append(out, f.([]float64)...) })
	return out
}

// TestConvVJP checks convVJP against central finite differences of
// sum(conv(x, k) * r), for "same" and "valid" padding, float64.
func TestConvVJP(t *testing.T) {
	b := testBackend(t)
	for _, same := range []bool{true, false} {
		rng := rand.New(rand.NewSource(3))
		xd, kd := []int{2, 7, 6, 3}, []int{5, 3, 3, 4}
		oh, ow := 7, 6
		if !same {
			oh, ow = 3, 4
		}
		xs, ks, rs := randData(rng, 2*7*6*3), randData(rng, 5*3*3*4), randData(rng, 2*oh*ow*4)
		r := tensors.FromFlatDataAndDimensions(rs, 2, oh, ow, 4)
		loss := func(x, k *Node) *Node {
			c := Convolve(x, k).StridePerAxis(1, 1) // simplego reads nil strides as 0
			if same {
				c = c.PadSame()
			} else {
				c = c.NoPadding()
			}
			out := c.Done()
			mark(convNodes, out)
			return ReduceAllSum(Mul(out, Const(x.Graph(), r)))
		}
		grads := MustNewExec(b, func(x, k *Node) []*Node {
			l := loss(x, k)
			return append([]*Node{l}, Gradient(l, x, k)...)
		})
		fwd := MustNewExec(b, func(x, k *Node) *Node { return loss(x, k) })
		eval := func(xs, ks []float64) float64 {
			out := fwd.MustExec(tensors.FromFlatDataAndDimensions(xs, xd...), tensors.FromFlatDataAndDimensions(ks, kd...))
			return flat(t, out[0])[0]
		}
		out := grads.MustExec(tensors.FromFlatDataAndDimensions(xs, xd...), tensors.FromFlatDataAndDimensions(ks, kd...))
		gx, gk := flat(t, out[1]), flat(t, out[2])
		const h = 1e-6
		for name, c := range map[string]struct{ v, g []float64 }{"x": {xs, gx}, "kernel": {ks, gk}} {
			for i := range c.v {
				orig := c.v[i]
				c.v[i] = orig + h
				up := eval(xs, ks) // c.v is xs or ks
				c.v[i] = orig - h
				down := eval(xs, ks)
				c.v[i] = orig
				num := (up - down) / (2 * h)
				if math.Abs(num-c.g[i]) > 1e-6*max(1, math.Abs(num)) {
					t.Fatalf("same=%v: d loss / d %s[%d] = %g, finite difference %g", same, name, i, c.g[i], num)
				}
			}
		}
	}
}

// TestDotVJP checks dotVJP against GoMLX's own gradient of a marked Dot.
func TestDotVJP(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewSource(4))
	xs, ws := randData(rng, 5*4), randData(rng, 4*3)
	grad := func(fast bool) []float64 {
		e := MustNewExec(b, func(x, w *Node) []*Node {
			d := Dot(x, w)
			if fast {
				mark(dotNodes, d)
			}
			l := ReduceAllSum(Mul(d, d))
			return Gradient(l, x, w)
		})
		out := e.MustExec(tensors.FromFlatDataAndDimensions(xs, 5, 4), tensors.FromFlatDataAndDimensions(ws, 4, 3))
		return append(flat(t, out[0]), flat(t, out[1])...)
	}
	a, c := grad(false), grad(true)
	for i := range a {
		if math.Abs(a[i]-c[i]) > 1e-12 {
			t.Fatalf("gradient %d: GoMLX %g, dotVJP %g", i, a[i], c[i])
		}
	}
}
