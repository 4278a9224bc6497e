package graph

import (
	"runtime"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convCase is one geometry of the convolution tests: input (batch, h, w, c),
// kernel (kh, kw, c, f) and settings.
type convCase struct {
	name    string
	x, k    []int
	strides [2]int
	dil     [2]int
	padding string
}

var convCases = []convCase{
	{"valid", []int{2, 5, 6, 2}, []int{3, 3, 2, 3}, [2]int{1, 1}, [2]int{1, 1}, "valid"},
	{"same", []int{2, 5, 6, 2}, []int{3, 3, 2, 3}, [2]int{1, 1}, [2]int{1, 1}, "same"},
	{"same even kernel (asymmetric)", []int{2, 5, 5, 1}, []int{2, 2, 1, 2}, [2]int{1, 1}, [2]int{1, 1}, "same"},
	{"same stride 2", []int{2, 7, 6, 2}, []int{3, 3, 2, 2}, [2]int{2, 2}, [2]int{1, 1}, "same"},
	{"valid stride (2,1) kernel 2x3", []int{3, 6, 5, 2}, []int{2, 3, 2, 2}, [2]int{2, 1}, [2]int{1, 1}, "valid"},
	{"valid dilation 2", []int{2, 7, 7, 1}, []int{3, 3, 1, 2}, [2]int{1, 1}, [2]int{2, 2}, "valid"},
	{"same dilation (2,1) stride (1,2)", []int{2, 6, 7, 2}, []int{3, 2, 2, 2}, [2]int{1, 2}, [2]int{2, 1}, "same"},
	{"1x1 kernel", []int{2, 4, 4, 3}, []int{1, 1, 3, 4}, [2]int{1, 1}, [2]int{1, 1}, "valid"},
	{"kernel as large as the input", []int{2, 3, 3, 2}, []int{3, 3, 2, 2}, [2]int{1, 1}, [2]int{1, 1}, "valid"},
	{"same stride 3 larger than kernel", []int{2, 7, 8, 1}, []int{2, 2, 1, 2}, [2]int{3, 3}, [2]int{1, 1}, "same"},
}

func (c convCase) spec() Conv2DSpec {
	return Conv2DSpec{Strides: c.strides, Dilation: c.dil, Padding: c.padding}
}

// withBatch returns c with its input's batch set to n.
func (c convCase) withBatch(n int) convCase {
	c.x = append([]int{n}, c.x[1:]...)
	return c
}

func convBuild(spec Conv2DSpec) BuildFunc {
	return func(g *Graph, in []*G.Node) (*G.Node, error) { return Conv2D(in[0], in[1], spec) }
}

// wantConv is the naive convolution of the case's inputs.
func wantConv(t *testing.T, c convCase, x, k *tensor.Dense) []float64 {
	t.Helper()
	g, err := convGeomOf(c.x, c.k, c.spec())
	if err != nil {
		t.Fatal(err)
	}
	return naiveConv(toF64(x), c.x, toF64(k), c.k, c.strides, c.dil, g.pt, g.pl, g.oh, g.ow)
}

func TestConv2DForward(t *testing.T) {
	big := convCase{"several chunks per worker", []int{5, 40, 40, 2}, []int{3, 3, 2, 3}, [2]int{1, 1}, [2]int{1, 1}, "same"}
	for i, c := range append(convCases, big) {
		c = c.withBatch(5) // an odd batch split across workers
		x, k := randTensor(int64(100+i), -1, 1, c.x...), randTensor(int64(200+i), -1, 1, c.k...)
		want := wantConv(t, c, x, k)
		t.Run(c.name, func(t *testing.T) {
			got, shape := runBuild(t, Infer, convBuild(c.spec()), x, k)
			wantShape, err := Conv2DOutputShape(c.x[1:], c.k, c.spec())
			if err != nil || !shape.Eq(tensor.Shape(append([]int{5}, wantShape...))) {
				t.Fatalf("shape %v, want (5, %v) (%v)", shape, wantShape, err)
			}
			assertClose(t, "float64", got, want, 1e-12)
			got32, _ := runBuild(t, Infer, convBuild(c.spec()), asF32(x), asF32(k))
			assertClose(t, "float32", got32, want, 1e-5)
		})
	}
}

func TestConv2DGradient(t *testing.T) {
	for i, c := range convCases {
		c = c.withBatch(2)
		t.Run(c.name, func(t *testing.T) {
			x, k := randTensor(int64(300+i), -1, 1, c.x...), randTensor(int64(400+i), -1, 1, c.k...)
			checkGradLog(t, convBuild(c.spec()), nil, x, k)
		})
	}
}

func TestConv2DErrors(t *testing.T) {
	ok := Conv2DSpec{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Padding: "valid"}
	tests := []struct {
		name   string
		in, k  []int
		spec   Conv2DSpec
		substr string
	}{
		{"rank", []int{28, 28}, []int{3, 3, 1, 4}, ok, "not (height, width, channels)"},
		{"channels", []int{28, 28, 3}, []int{3, 3, 1, 4}, ok, "kernel shape (3, 3, 1, 4) does not fit the input (28, 28, 3)"},
		{"kernel too large", []int{4, 4, 1}, []int{5, 5, 1, 2}, ok, "larger than the input size 4"},
		{"dilated kernel too large", []int{6, 6, 1}, []int{3, 3, 1, 2}, Conv2DSpec{Strides: [2]int{1, 1}, Dilation: [2]int{3, 3}, Padding: "valid"}, "dilated to 7"},
		{"zero stride", []int{8, 8, 1}, []int{3, 3, 1, 2}, Conv2DSpec{Strides: [2]int{0, 1}, Dilation: [2]int{1, 1}, Padding: "same"}, "stride 0"},
		{"padding", []int{8, 8, 1}, []int{3, 3, 1, 2}, Conv2DSpec{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Padding: "full"}, `unknown padding "full"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Conv2DOutputShape(tc.in, tc.k, tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("error %v, want one containing %q", err, tc.substr)
			}
		})
	}
}

// TestConvColsCache: the kernel gradient from the forward run's cached im2col
// matrices equals the recomputed one, and the cache answers only for the input
// and geometry it was filled from.
func TestConvColsCache(t *testing.T) {
	c := convCases[3].withBatch(5)
	g, err := convGeomOf(c.x, c.k, c.spec())
	if err != nil {
		t.Fatal(err)
	}
	x, k := toF64(randTensor(1, -1, 1, c.x...)), toF64(randTensor(2, -1, 1, c.k...))
	out := make([]float64, g.n*g.pix()*g.f)
	var s scratch[float64]
	var cache colsCache
	cc := cacheOf[float64](&cache)
	if err := convForward(x, k, out, g, &s, cc, 7); err != nil {
		t.Fatal(err)
	}
	if cc.lookup(g, planConv(g), 7) == nil || cc.lookup(g, planConv(g), 8) != nil {
		t.Fatal("cache does not answer for its input only")
	}
	want, got := make([]float64, len(k)), make([]float64, len(k))
	if err := convKernelGrad(x, out, want, g, &s, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := convKernelGrad(x, out, got, g, &s, cc, 7); err != nil {
		t.Fatal(err)
	}
	assertClose(t, "cached kernel gradient", got, want, 0)
	big := g
	big.n = maxCachedCols
	if cc.begin(big) != nil || cc.lookup(g, planConv(g), 7) != nil {
		t.Error("a batch too large for the cache was cached, or left the old matrices valid")
	}
}

// TestConvOpsReuseBuffers: after a first run, the convolution, its gradients and
// pooling, given their previous output back (as the trainers' executor does),
// allocate a few kilobytes per step (goroutines, closures), no more at batch 64
// than at batch 8.
func TestConvOpsReuseBuffers(t *testing.T) {
	spec := Conv2DSpec{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Padding: "same"}
	perCall := func(batch int) float64 {
		x := asF32(randTensor(1, -1, 1, batch, 12, 12, 3))
		k := asF32(randTensor(2, -1, 1, 3, 3, 3, 4))
		conv := conv2dOp{opBase{name: "c", arity: 2}, spec, &workspace{}, &colsCache{}}
		y, err := conv.Do(x, k)
		if err != nil {
			t.Fatal(err)
		}
		dk := newConvGrad(convGradKernel, spec, k.Shape(), conv.cache)
		dx := newConvGrad(convGradInput, spec, x.Shape(), nil)
		pool := newPoolOp(poolMax, Pool2DSpec{[2]int{2, 2}, [2]int{2, 2}, "valid"}, false)
		outs := make([]G.Value, 4)
		step := func() {
			var err error
			if outs[0], err = conv.UsePreallocDo(outs[0], x, k); err == nil {
				if outs[1], err = dk.UsePreallocDo(outs[1], x, y); err == nil {
					if outs[2], err = dx.UsePreallocDo(outs[2], k, y); err == nil {
						outs[3], err = pool.UsePreallocDo(outs[3], y)
					}
				}
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		// Warm up: every matrix-product buffer set in circulation (one per
		// goroutine that ran a product at once, recycled in turn) grows to its
		// largest size in the first steps; under load more of them circulate.
		for i := 0; i < 5; i++ {
			step()
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const runs = 20
		for i := 0; i < runs; i++ {
			step()
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / runs
	}
	small, large := perCall(8), perCall(64)
	t.Logf("bytes allocated per step: %.0f at batch 8, %.0f at batch 64", small, large)
	if large > 16<<10 || large > small+4096 {
		t.Errorf("a step allocates %.0f bytes at batch 64 and %.0f at batch 8", large, small)
	}
}
