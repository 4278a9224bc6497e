package graph

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestComputeOnlySkipsTheInputGradient: for loss = Σ tanh(x·w), the gradient
// with respect to w is computed as without the option, bit for bit, while the
// product that only feeds the (unread) gradient with respect to x is skipped.
func TestComputeOnlySkipsTheInputGradient(t *testing.T) {
	g := G.NewGraph()
	xv := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{
		0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2}))
	wv := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{
		0.5, -0.25, 0.125, 0.75, -0.5, 0.3, 0.2, -0.1}))
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("x"), G.WithValue(xv))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("w"), G.WithValue(wv))
	xw, err := G.Mul(x, w)
	if err != nil {
		t.Fatal(err)
	}
	th, err := G.Tanh(xw)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := G.Sum(th)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := Grad(loss, G.Nodes{w}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Gorgonia's differentiation also builds the gradient with respect to x.
	all, err := NewExecutor(g)
	if err != nil {
		t.Fatal(err)
	}
	only, err := NewExecutor(g, ComputeOnly(append(grads.Reads(), loss)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(only.steps) >= len(all.steps) {
		t.Fatalf("ComputeOnly runs %d steps, all of the graph %d: nothing skipped", len(only.steps), len(all.steps))
	}
	for _, e := range []*Executor{all, only} {
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
	}
	want, got := all.Dense(grads.Nodes[0]).Data().([]float64), only.Dense(grads.Nodes[0]).Data().([]float64)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("gradient element %d: %v with ComputeOnly, %v without", i, got[i], want[i])
		}
	}
	if got, want := only.Value(loss).Data(), all.Value(loss).Data(); got != want {
		t.Errorf("loss %v with ComputeOnly, %v without", got, want)
	}
}
