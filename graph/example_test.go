package graph_test

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CheckGradient compares a symbolic gradient with finite differences.
func ExampleCheckGradient() {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{-2, -0.5, 0.3, 1, 2.5, 4}))
	res, err := graph.CheckGradient(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
		return graph.LogSoftmax(in[0])
	}, []*tensor.Dense{x}, 1e-6)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gradient matches:", res.MaxRelErr < 1e-6)
	// Output:
	// gradient matches: true
}
