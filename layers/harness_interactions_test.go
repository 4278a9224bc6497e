package layers_test

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
)

// interactionHarnessCases are the harness cases of the recommender interaction
// layers.
func interactionHarnessCases() []harnessCase {
	return []harnessCase{
		{name: "fm", class: "FM", make: func() layers.Layer { return layers.FM() },
			inputs: []harnessInput{hin(4, 3)}, out: []int{1}},
		{name: "fm keep dims", class: "FM", make: func() layers.Layer { return layers.FM(layers.WithKeepDims(true)) },
			inputs: []harnessInput{hin(3, 5)}, out: []int{5}},
		{name: "cross net", class: "CrossNet", make: func() layers.Layer { return layers.CrossNet(2) },
			inputs: []harnessInput{hin(4)}, out: []int{4}, trainable: 4},
		{name: "cross net low rank l2", class: "CrossNet",
			make: func() layers.Layer {
				return layers.CrossNet(2, layers.WithLowRank(2), layers.WithKernelRegularizer(graph.L2(0.01)))
			},
			inputs: []harnessInput{hin(5)}, out: []int{5}, trainable: 6},
		{name: "cross net no bias he", class: "CrossNet",
			make: func() layers.Layer {
				return layers.CrossNet(1, layers.WithBias(false), layers.WithKernelInitializerName("he_normal"))
			},
			inputs: []harnessInput{hin(3)}, out: []int{3}, trainable: 1},
		{name: "dot interaction", class: "DotInteraction", make: func() layers.Layer { return layers.DotInteraction() },
			inputs: []harnessInput{hin(4, 3)}, out: []int{6}},
		{name: "dot interaction self", class: "DotInteraction",
			make:   func() layers.Layer { return layers.DotInteraction(layers.WithSelfInteraction(true)) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{6}},
		{name: "dot interaction of field inputs", class: "DotInteraction", make: func() layers.Layer { return layers.DotInteraction() },
			inputs: []harnessInput{hin(3), hin(3), hin(3)}, out: []int{3}},
		{name: "embedding bag sum", class: "EmbeddingBag", make: func() layers.Layer { return layers.EmbeddingBag(6, 3) },
			inputs: []harnessInput{hids(6, 4)}, out: []int{3}, trainable: 1},
		{name: "embedding bag mean", class: "EmbeddingBag",
			make:   func() layers.Layer { return layers.EmbeddingBag(5, 2, layers.WithCombiner("mean")) },
			inputs: []harnessInput{hids(5, 3)}, out: []int{2}, trainable: 1},
		{name: "embedding bag sqrtn pad -1", class: "EmbeddingBag",
			make: func() layers.Layer {
				return layers.EmbeddingBag(4, 3, layers.WithCombiner("sqrtn"), layers.WithPaddingID(-1),
					layers.WithEmbeddingsInitializerName("random_normal"))
			},
			inputs: []harnessInput{hids(4, 5)}, out: []int{3}, trainable: 1},
	}
}
