package graph

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bindInputs binds inputs (the first one's first axis is the batch and its dtype the
// graph's) to a new graph in mode m, as nodes in0, in1, ...
func bindInputs(t *testing.T, m Mode, inputs []*tensor.Dense) (*Graph, []*G.Node) {
	t.Helper()
	g, err := New(m, inputs[0].Dtype(), inputs[0].Shape()[0])
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		if nodes[i], err = g.bind(fmt.Sprintf("in%d", i), in); err != nil {
			t.Fatal(err)
		}
	}
	return g, nodes
}

// runBuild builds an expression over inputs (bound as values, the first one's
// first axis is the batch) in mode m and returns its value after one run, as
// float64s, and the output shape.
func runBuild(t *testing.T, m Mode, build BuildFunc, inputs ...*tensor.Dense) ([]float64, tensor.Shape) {
	t.Helper()
	g, nodes := bindInputs(t, m, inputs)
	out, err := build(g, nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	d, ok := v.(*tensor.Dense)
	if !ok {
		t.Fatalf("output %T is not a tensor", v)
	}
	return toF64(d), d.Shape().Clone()
}

func toF64(d *tensor.Dense) []float64 {
	switch x := d.Data().(type) {
	case []float32:
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), x...)
	}
	return nil
}

// asF32 returns a float32 copy of a float64 tensor.
func asF32(d *tensor.Dense) *tensor.Dense {
	src := d.Data().([]float64)
	dst := make([]float32, len(src))
	for i, v := range src {
		dst[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(dst))
}

// assertClose fails unless got and want agree within tol·max(1, |want|).
func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %.10g, want %.10g", what, i, got[i], want[i])
		}
	}
}

// naiveConv is the textbook NHWC convolution (no flip, as Keras) with the given
// padding before (pt, pl) and output size.
func naiveConv(x []float64, xs []int, k []float64, ks []int, s, d [2]int, pt, pl, oh, ow int) []float64 {
	n, h, w, c := xs[0], xs[1], xs[2], xs[3]
	kh, kw, f := ks[0], ks[1], ks[3]
	out := make([]float64, n*oh*ow*f)
	for b := 0; b < n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				for o := 0; o < f; o++ {
					var sum float64
					for ky := 0; ky < kh; ky++ {
						for kx := 0; kx < kw; kx++ {
							iy, ix := oy*s[0]-pt+ky*d[0], ox*s[1]-pl+kx*d[1]
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							for ci := 0; ci < c; ci++ {
								sum += x[((b*h+iy)*w+ix)*c+ci] * k[((ky*kw+kx)*c+ci)*f+o]
							}
						}
					}
					out[((b*oh+oy)*ow+ox)*f+o] = sum
				}
			}
		}
	}
	return out
}

// checkGradLog is checkGrad that also checks params and logs the worst error, so
// that -v shows how far below the 1e-6 bound each case is.
func checkGradLog(t *testing.T, build BuildFunc, params []*Param, inputs ...*tensor.Dense) {
	t.Helper()
	res, err := CheckGradientParams(build, inputs, params, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxRelErr > 1e-6 {
		t.Errorf("%v", res)
	}
	t.Logf("max relative error %.2g", res.MaxRelErr)
}

// naivePool is the textbook NHWC max or average pooling, padding excluded.
func naivePool(avg bool, x []float64, xs []int, k, s [2]int, pt, pl, oh, ow int) []float64 {
	n, h, w, c := xs[0], xs[1], xs[2], xs[3]
	out := make([]float64, n*oh*ow*c)
	for b := 0; b < n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				for ci := 0; ci < c; ci++ {
					acc, count := math.Inf(-1), 0
					if avg {
						acc = 0
					}
					for ky := 0; ky < k[0]; ky++ {
						for kx := 0; kx < k[1]; kx++ {
							iy, ix := oy*s[0]-pt+ky, ox*s[1]-pl+kx
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							v := x[((b*h+iy)*w+ix)*c+ci]
							count++
							if avg {
								acc += v
							} else {
								acc = math.Max(acc, v)
							}
						}
					}
					if avg {
						acc /= float64(count)
					}
					out[((b*oh+oy)*ow+ox)*c+ci] = acc
				}
			}
		}
	}
	return out
}
