package layers_test

import "github.com/gokeras/gokeras/layers"

// seqUtilHarnessCases are the harness cases of the sequence utility layers.
func seqUtilHarnessCases() []harnessCase {
	return []harnessCase{
		{name: "layer normalization", class: "LayerNormalization", make: func() layers.Layer { return layers.LayerNormalization() },
			inputs: []harnessInput{hin(5)}, out: []int{5}, trainable: 2},
		{name: "layer normalization sequence eps", class: "LayerNormalization",
			make:   func() layers.Layer { return layers.LayerNormalization(layers.WithEpsilon(1e-5)) },
			inputs: []harnessInput{hin(3, 4)}, out: []int{3, 4}, trainable: 2},
		{name: "positional embedding", class: "PositionalEmbedding", make: func() layers.Layer { return layers.PositionalEmbedding(3, 2) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3, 2}, trainable: 1},
		{name: "positional embedding shorter", class: "PositionalEmbedding", make: func() layers.Layer { return layers.PositionalEmbedding(6, 3) },
			inputs: []harnessInput{hin(4, 3)}, out: []int{4, 3}, trainable: 1},
		{name: "sinusoidal encoding", class: "SinusoidalEncoding", make: func() layers.Layer { return layers.SinusoidalEncoding() },
			inputs: []harnessInput{hin(4, 3)}, out: []int{4, 3}},
		{name: "repeat vector", class: "RepeatVector", make: func() layers.Layer { return layers.RepeatVector(3) },
			inputs: []harnessInput{hin(2)}, out: []int{3, 2}},
		{name: "masking", class: "Masking", make: func() layers.Layer { return layers.Masking(0) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3, 2}},
		{name: "dense gelu tanh", class: "Dense", make: func() layers.Layer { return layers.Dense(3, layers.WithActivation("gelu_tanh")) },
			inputs: []harnessInput{hin(4)}, out: []int{3}, trainable: 2},
		{name: "activation gelu", class: "Activation", make: func() layers.Layer { return layers.Activation("gelu") },
			inputs: []harnessInput{hin(4)}, out: []int{4}},
	}
}
