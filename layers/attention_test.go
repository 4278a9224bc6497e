package layers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// TestAttentionErrors: bad settings and inputs fail at Build with a clear error.
func TestAttentionErrors(t *testing.T) {
	cases := []struct {
		name   string
		layer  func() layers.Layer
		inputs [][]int
		want   string
	}{
		{"zero heads", func() layers.Layer { return layers.MultiHeadAttention(0, 4) }, [][]int{{3, 4}, {3, 4}}, "must be positive"},
		{"bad dropout", func() layers.Layer { return layers.MultiHeadAttention(2, 4, layers.WithAttentionDropout(1)) }, [][]int{{3, 4}, {3, 4}}, "dropout"},
		{"foreign option", func() layers.Layer { return layers.MultiHeadAttention(2, 4, layers.WithActivation("relu")) }, [][]int{{3, 4}, {3, 4}}, "does not take option(s) activation"},
		{"one input", func() layers.Layer { return layers.MultiHeadAttention(2, 4) }, [][]int{{3, 4}}, "takes 2 or 3 inputs"},
		{"rank 2 query", func() layers.Layer { return layers.MultiHeadAttention(2, 4) }, [][]int{{4}, {3, 4}}, "must be (steps, features)"},
		{"key and value steps differ", func() layers.Layer { return layers.MultiHeadAttention(2, 4) }, [][]int{{3, 4}, {5, 4}, {6, 4}}, "different numbers of steps"},
		{"time distributed rank 2", func() layers.Layer { return layers.TimeDistributed(layers.Dense(2)) }, [][]int{{4}}, "needs a steps axis"},
		{"time distributed multi-input layer", func() layers.Layer { return layers.TimeDistributed(layers.Add()) }, [][]int{{3, 4}}, "not a one-input layer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ins := make([]*layers.Tensor, len(c.inputs))
			for i, s := range c.inputs {
				ins[i] = layers.NewInput(fmt.Sprintf("in%d", i), layers.Shape(s...))
			}
			m, err := layers.NewModel(ins, layers.Apply(c.layer(), ins...)[:1])
			if err == nil {
				err = m.Build()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// A self-attention block of 2 heads over 5 steps, returning the attention weights
// too, and a Dense applied to every step with TimeDistributed.
func ExampleMultiHeadAttention() {
	x := layers.NewInput("x", layers.Shape(5, 8))
	mha := layers.MultiHeadAttention(2, 4, layers.WithCausalMask(true), layers.WithReturnScores(true))
	outs := mha.Apply(x, x)
	y := layers.TimeDistributed(layers.Dense(3)).Apply(outs[0])
	model, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{y, outs[1]})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Build(); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range model.Outputs() {
		fmt.Println(s.Shape)
	}
	for _, p := range mha.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	// Output:
	// [5 3]
	// [2 5 5]
	// multi_head_attention/query/kernel (8, 2, 4)
	// multi_head_attention/query/bias (2, 4)
	// multi_head_attention/key/kernel (8, 2, 4)
	// multi_head_attention/key/bias (2, 4)
	// multi_head_attention/value/kernel (8, 2, 4)
	// multi_head_attention/value/bias (2, 4)
	// multi_head_attention/output/kernel (2, 4, 8)
	// multi_head_attention/output/bias (8)
}
