package layers_test

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// A GPT block on sequences of 6 steps of width 8, then one cached generation
// step against a cache of 6 slots.
func ExampleTransformerDecoder() {
	x := layers.NewInput("x", layers.Shape(6, 8))
	dec := layers.TransformerDecoder(2, 16, layers.WithNormalizeFirst(true), layers.WithActivation("gelu"))
	y := dec.Apply(x)
	m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{y})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Build(layers.WithSeed(1)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dec.Name(), dec.Type(), y.Shape(), "heads", dec.NumHeads(), "key dim", dec.KeyDim(), "weights", len(dec.Params()))

	// One position of a batch of 1 against a cache of 6 earlier keys and values.
	g, _ := graph.New(graph.Infer, tensor.Float32, 1)
	xt, _, _ := g.Input("step", 1, 8)
	pastK, _, _ := g.Input("past_k", dec.NumHeads(), 6, dec.KeyDim())
	pastV, _, _ := g.Input("past_v", dec.NumHeads(), 6, dec.KeyDim())
	keep, _, _ := g.Input("keep", 6)
	out, k, v, err := dec.Step(g, xt, pastK, pastV, keep)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("step:", out.Shape(), k.Shape(), v.Shape(), "weights", len(dec.Params()))
	// Output:
	// transformer_decoder TransformerDecoder [6 8] heads 2 key dim 4 weights 16
	// step: (1, 1, 8) (1, 2, 1, 4) (1, 2, 1, 4) weights 16
}
