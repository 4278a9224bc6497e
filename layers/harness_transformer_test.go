package layers_test

import "github.com/gokeras/gokeras/layers"

// transformerHarnessCases are the harness cases of the transformer blocks
// (TransformerEncoder, TransformerDecoder): 16 weights each (attention 8, two
// layer normalizations 2 each, two Dense 2 each).
func transformerHarnessCases() []harnessCase {
	return []harnessCase{
		{name: "transformer encoder post-norm gelu", class: "TransformerEncoder",
			make:   func() layers.Layer { return layers.TransformerEncoder(2, 5, layers.WithActivation("gelu")) },
			inputs: []harnessInput{hin(4, 6)}, out: []int{4, 6}, trainable: 16},
		{name: "transformer encoder pre-norm dropout", class: "TransformerEncoder",
			make: func() layers.Layer {
				return layers.TransformerEncoder(3, 4, layers.WithNormalizeFirst(true), layers.WithAttentionDropout(0.2),
					layers.WithActivation("tanh"), layers.WithEpsilon(1e-3))
			},
			inputs: []harnessInput{hin(3, 6)}, out: []int{3, 6}, trainable: 16},
		{name: "transformer decoder post-norm", class: "TransformerDecoder",
			make:   func() layers.Layer { return layers.TransformerDecoder(2, 6, layers.WithActivation("gelu_tanh")) },
			inputs: []harnessInput{hin(5, 4)}, out: []int{5, 4}, trainable: 16},
		{name: "transformer decoder pre-norm relu", class: "TransformerDecoder",
			make: func() layers.Layer {
				return layers.TransformerDecoder(1, 3, layers.WithNormalizeFirst(true), layers.WithKernelInitializerName("he_normal"))
			},
			inputs: []harnessInput{hin(3, 4)}, out: []int{3, 4}, trainable: 16},
	}
}
