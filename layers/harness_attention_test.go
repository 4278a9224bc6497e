package layers_test

import "github.com/gokeras/gokeras/layers"

// attentionHarnessCases are the harness cases of the attention layers (MultiHeadAttention, TimeDistributed).
func attentionHarnessCases() []harnessCase {
	return []harnessCase{
		{name: "multi-head attention", class: "MultiHeadAttention",
			make:   func() layers.Layer { return layers.MultiHeadAttention(2, 3) },
			inputs: []harnessInput{hin(4, 5), hin(3, 6)}, out: []int{4, 5}, trainable: 8},
		{name: "multi-head attention key causal output shape", class: "MultiHeadAttention",
			make: func() layers.Layer {
				return layers.MultiHeadAttention(2, 2, layers.WithCausalMask(true), layers.WithOutputShape(3))
			},
			inputs: []harnessInput{hin(4, 3), hin(5, 4), hin(5, 2)}, out: []int{4, 3}, trainable: 8},
		{name: "multi-head attention no bias", class: "MultiHeadAttention",
			make:   func() layers.Layer { return layers.MultiHeadAttention(3, 2, layers.WithBias(false)) },
			inputs: []harnessInput{hin(3, 4), hin(3, 4)}, out: []int{3, 4}, trainable: 4},
		{name: "time distributed dense", class: "TimeDistributed",
			make: func() layers.Layer {
				return layers.TimeDistributed(layers.Dense(3, layers.WithActivation("tanh")))
			},
			inputs: []harnessInput{hin(4, 5)}, out: []int{4, 3}, trainable: 2},
		{name: "time distributed dense on rank 4", class: "TimeDistributed",
			make:   func() layers.Layer { return layers.TimeDistributed(layers.Dense(2)) },
			inputs: []harnessInput{hin(3, 2, 4)}, out: []int{3, 2, 2}, trainable: 2},
	}
}
