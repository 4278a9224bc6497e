package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reuseGraph builds out = exp(r) + tanh(r)·2 on r = reshape(exp(x)+1) for x
// (4, 6): the reshaped view r is read after its base's only direct consumer
// has run, and after other (4, 6) and (6, 4) values have been computed and
// freed, so a buffer freed too early would be overwritten while r still reads
// it. It returns the graph, its input and the output node.
func reuseGraph(t *testing.T, dt tensor.Dtype) (*G.ExprGraph, *tensor.Dense, *G.Node) {
	t.Helper()
	g := G.NewGraph()
	x := tensor.New(tensor.Of(dt), tensor.WithShape(4, 6))
	switch xs := x.Data().(type) {
	case []float32:
		for i := range xs {
			xs[i] = float32(i%7)*0.3 - 0.9
		}
	case []float64:
		for i := range xs {
			xs[i] = float64(i%7)*0.3 - 0.9
		}
	}
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	xn := G.NewMatrix(g, dt, G.WithShape(4, 6), G.WithName("x"), G.WithValue(x))
	a := must(G.Exp(xn))
	a1 := must(G.Add(a, must(G.Tanh(a))))           // (4, 6), a's last direct use
	r := must(G.Reshape(a1, tensor.Shape{6, 4}))    // a view of a1
	b := must(G.Tanh(must(G.Exp(must(G.Neg(xn)))))) // more (4, 6) values, freed before r is read
	b2 := must(G.Reshape(must(G.Add(b, b)), tensor.Shape{6, 4}))
	c := must(G.Add(must(G.Exp(r)), b2))
	out := must(G.Add(c, must(G.Tanh(r))))
	return g, x, out
}

// TestReuseBuffersMatchesKeepingAll: with ReuseBuffers the kept output is
// bit-identical to the plain executor's, run after run and with the input
// changed between runs, for both float types; and buffers were actually
// shared (some step ran on memory another step had freed).
func TestReuseBuffersMatchesKeepingAll(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g, x, out := reuseGraph(t, dt)
		plain, err := NewExecutor(g)
		if err != nil {
			t.Fatal(err)
		}
		reuse, err := NewExecutor(g, ReuseBuffers(out))
		if err != nil {
			t.Fatal(err)
		}
		for run := 0; run < 3; run++ {
			if run == 2 { // new input values
				switch xs := x.Data().(type) {
				case []float32:
					for i := range xs {
						xs[i] = -xs[i] * 1.5
					}
				case []float64:
					for i := range xs {
						xs[i] = -xs[i] * 1.5
					}
				}
			}
			if err := plain.Run(); err != nil {
				t.Fatal(err)
			}
			want := floatsOf(t, plain.Dense(out))
			if err := reuse.Run(); err != nil {
				t.Fatal(err)
			}
			got := floatsOf(t, reuse.Dense(out))
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%v run %d: element %d is %v with ReuseBuffers, %v without", dt, run, i, got[i], want[i])
				}
			}
		}
		if reuse.reused == 0 {
			t.Errorf("%v: no step ran on a reused buffer", dt)
		}
		if v := reuse.Value(out); v == nil {
			t.Errorf("%v: the kept output has no value", dt)
		}
	}
}

func floatsOf(t *testing.T, d *tensor.Dense) []float64 {
	t.Helper()
	switch xs := d.Data().(type) {
	case []float32:
		out := make([]float64, len(xs))
		for i, v := range xs {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), xs...)
	}
	t.Fatalf("unexpected data %T", d.Data())
	return nil
}
