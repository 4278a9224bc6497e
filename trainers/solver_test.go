package trainers_test

import (
	"testing"

	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSolverInRawGorgoniaLoop: NewSolver drives a hand-written Gorgonia loop and
// takes the same steps as SGD computed by hand.
func TestSolverInRawGorgoniaLoop(t *testing.T) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("w"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, -1}))))
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking([]float64{2, 3}))))
	prod, err := G.HadamardProd(w, x)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(prod) // cost = w·x, gradient x
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(cost, w); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	defer vm.Close()
	s := trainers.NewSolver(trainers.SGD(0.1))
	for i := 0; i < 3; i++ {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	got := w.Value().Data().([]float64)
	want := []float64{1 - 3*0.1*2, -1 - 3*0.1*3}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Errorf("w = %v, want %v", got, want)
		}
	}
}
