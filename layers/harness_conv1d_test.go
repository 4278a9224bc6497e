package layers_test

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
)

// conv1DHarnessCases are the harness cases of the 1-D convolution and pooling
// layers.
func conv1DHarnessCases() []harnessCase {
	tanh := layers.WithActivation("tanh")
	return []harnessCase{
		{name: "conv1d valid", class: "Conv1D", make: func() layers.Layer { return layers.Conv1D(3, 3, tanh) },
			inputs: []harnessInput{hin(6, 2)}, out: []int{4, 3}, trainable: 2},
		{name: "conv1d same stride l2", class: "Conv1D",
			make: func() layers.Layer {
				return layers.Conv1D(2, 2, layers.WithStride1D(2), layers.WithPadding("same"), layers.WithKernelRegularizer(graph.L2(0.05)))
			},
			inputs: []harnessInput{hin(5, 3)}, out: []int{3, 2}, trainable: 2},
		{name: "conv1d causal dilated no bias", class: "Conv1D",
			make: func() layers.Layer {
				return layers.Conv1D(2, 3, layers.WithPadding("causal"), layers.WithDilation1D(2), layers.WithBias(false))
			},
			inputs: []harnessInput{hin(5, 2)}, out: []int{5, 2}, trainable: 1},
		{name: "max pooling 1d", class: "MaxPooling1D", make: func() layers.Layer { return layers.MaxPooling1D(2) },
			inputs: []harnessInput{hin(5, 2)}, out: []int{2, 2}},
		{name: "average pooling 1d same stride", class: "AveragePooling1D",
			make: func() layers.Layer {
				return layers.AveragePooling1D(3, layers.WithPadding("same"), layers.WithStride1D(2))
			},
			inputs: []harnessInput{hin(5, 2)}, out: []int{3, 2}},
		{name: "global average pooling 1d", class: "GlobalAveragePooling1D", make: func() layers.Layer { return layers.GlobalAveragePooling1D() },
			inputs: []harnessInput{hin(4, 3)}, out: []int{3}},
		{name: "global max pooling 1d", class: "GlobalMaxPooling1D", make: func() layers.Layer { return layers.GlobalMaxPooling1D() },
			inputs: []harnessInput{hin(4, 3)}, out: []int{3}},
	}
}
