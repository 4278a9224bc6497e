package onnx

import (
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// perturb gives every weight of m deterministic non-trivial values (variances
// positive), so that folded statistics and biases are exercised.
func perturb(m layers.Model) {
	for k, p := range m.Params() {
		pos := strings.HasSuffix(p.Name, "variance")
		switch d := p.Value.Data().(type) {
		case []float32:
			for i := range d {
				v := math.Sin(float64(i*7+k*13)+0.3) * 0.8
				if pos {
					v = math.Abs(v) + 0.3
				}
				d[i] = float32(v)
			}
		case []float64:
			for i := range d {
				v := math.Sin(float64(i*7+k*13)+0.3) * 0.8
				if pos {
					v = math.Abs(v) + 0.3
				}
				d[i] = v
			}
		}
	}
}

func TestSingleLayerParity(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		ls    func() []layers.Layer
	}{
		{"conv2d_valid", []int{7, 6, 3}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(4, 3, layers.WithActivation("relu"))}
		}},
		{"conv2d_same_stride", []int{7, 6, 2}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(3, 3, layers.WithStrides(2, 2), layers.WithPadding("same"))}
		}},
		{"conv2d_same_even_kernel_stride3", []int{8, 7, 2}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(3, 4, layers.WithStrides(3, 2), layers.WithPadding("same"), layers.WithBias(false))}
		}},
		{"conv2d_dilated_rect", []int{9, 8, 2}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(2, 2, layers.WithKernelSize(3, 2), layers.WithDilation(2, 1), layers.WithPadding("same"))}
		}},
		{"conv_pool_stack", []int{10, 10, 1}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(3, 3, layers.WithPadding("same")), layers.MaxPooling2D(2),
				layers.Conv2D(4, 3, layers.WithActivation("tanh")), layers.AveragePooling2D(2, layers.WithPadding("same")), layers.Flatten(), layers.Dense(3)}
		}},
		{"maxpool_same", []int{7, 5, 2}, func() []layers.Layer {
			return []layers.Layer{layers.MaxPooling2D(3, layers.WithStrides(2, 2), layers.WithPadding("same"))}
		}},
		{"avgpool_same_borders", []int{7, 5, 2}, func() []layers.Layer {
			return []layers.Layer{layers.AveragePooling2D(3, layers.WithStrides(2, 2), layers.WithPadding("same"))}
		}},
		{"avgpool_valid_rect", []int{6, 7, 2}, func() []layers.Layer {
			return []layers.Layer{layers.AveragePooling2D(2, layers.WithPoolSize(2, 3))}
		}},
		{"global_pools_2d", []int{4, 5, 3}, func() []layers.Layer {
			return []layers.Layer{layers.GlobalAveragePooling2D()}
		}},
		{"global_max_2d", []int{4, 5, 3}, func() []layers.Layer {
			return []layers.Layer{layers.GlobalMaxPooling2D()}
		}},
		{"zero_padding", []int{4, 5, 2}, func() []layers.Layer {
			return []layers.Layer{layers.ZeroPadding2D(1, 2, 0, 3), layers.Conv2D(2, 2)}
		}},
		{"batchnorm_nhwc", []int{4, 4, 3}, func() []layers.Layer {
			return []layers.Layer{layers.BatchNormalization(layers.WithEpsilon(0.01))}
		}},
		{"batchnorm_dense", []int{5}, func() []layers.Layer {
			return []layers.Layer{layers.Dense(4), layers.BatchNormalization(), layers.Activation("relu")}
		}},
		{"normalization", []int{3}, func() []layers.Layer {
			return []layers.Layer{layers.Normalization(layers.WithMeanVariance([]float64{1, -2, 0.5}, []float64{4, 0.25, 9}))}
		}},
		{"normalization_invert", []int{3}, func() []layers.Layer {
			return []layers.Layer{layers.Normalization(layers.WithInvert(true), layers.WithMeanVariance([]float64{1, -2, 0.5}, []float64{4, 0.25, 9}))}
		}},
		{"conv1d_causal_dilated", []int{9, 3}, func() []layers.Layer {
			return []layers.Layer{layers.Conv1D(4, 3, layers.WithPadding("causal"), layers.WithDilation1D(2), layers.WithActivation("relu"))}
		}},
		{"conv1d_same_stride", []int{9, 3}, func() []layers.Layer {
			return []layers.Layer{layers.Conv1D(2, 4, layers.WithPadding("same"), layers.WithStride1D(2))}
		}},
		{"pool1d", []int{9, 3}, func() []layers.Layer {
			return []layers.Layer{layers.MaxPooling1D(2), layers.AveragePooling1D(3, layers.WithStride1D(2), layers.WithPadding("same")), layers.GlobalAveragePooling1D()}
		}},
		{"global_max_1d", []int{6, 3}, func() []layers.Layer { return []layers.Layer{layers.GlobalMaxPooling1D()} }},
		{"reshape_flatten", []int{4, 6}, func() []layers.Layer {
			return []layers.Layer{layers.Reshape([]int{3, -1}), layers.Dense(2), layers.Flatten(), layers.Dropout(0.3)}
		}},
		{"residual", []int{6, 6, 2}, func() []layers.Layer {
			return []layers.Layer{layers.Residual([]layers.Layer{layers.Conv2D(3, 3, layers.WithPadding("same"), layers.WithActivation("relu")), layers.Conv2D(3, 3, layers.WithPadding("same"))},
				[]layers.Layer{layers.Conv2D(3, 1)}, layers.WithActivation("relu")),
				layers.Residual([]layers.Layer{layers.BatchNormalization(), layers.Conv2D(3, 1)}, nil)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := seqModel(t, tc.shape, tc.ls()...)
			perturb(m)
			x := randInput(tensor.Float32, 2, tc.shape...)
			t.Logf("%s: max error %.3g", tc.name, parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5))
		})
	}
}

func TestInteractionAndConvActivationParity(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		ls    func() []layers.Layer
	}{
		{"crossnet_full", []int{5}, func() []layers.Layer { return []layers.Layer{layers.CrossNet(2)} }},
		{"crossnet_lowrank", []int{6}, func() []layers.Layer {
			return []layers.Layer{layers.CrossNet(2, layers.WithLowRank(2), layers.WithBias(false))}
		}},
		{"dot_interaction", []int{4, 3}, func() []layers.Layer { return []layers.Layer{layers.DotInteraction()} }},
		{"dot_interaction_self", []int{4, 3}, func() []layers.Layer { return []layers.Layer{layers.DotInteraction(layers.WithSelfInteraction(true))} }},
		{"fm", []int{4, 3}, func() []layers.Layer { return []layers.Layer{layers.FM()} }},
		{"fm_keep", []int{4, 3}, func() []layers.Layer { return []layers.Layer{layers.FM(layers.WithKeepDims(true))} }},
		{"conv_softmax_gelu", []int{5, 5, 2}, func() []layers.Layer {
			return []layers.Layer{layers.Conv2D(3, 3, layers.WithActivation("gelu")), layers.Conv2D(4, 2, layers.WithActivation("softmax")),
				layers.Reshape([]int{-1, 4}), layers.Conv1D(2, 2, layers.WithActivation("softmax"))}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := seqModel(t, tc.shape, tc.ls()...)
			perturb(m)
			x := randInput(tensor.Float32, 2, tc.shape...)
			t.Logf("%s: max error %.3g", tc.name, parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5))
		})
	}
	// DotInteraction on several (batch, k) inputs.
	var ins []*layers.Tensor
	feed := map[string]*tensor.Dense{}
	for _, n := range []string{"f0", "f1", "f2"} {
		ins = append(ins, layers.NewInput(n, layers.Shape(3)))
		feed[n] = randInput(tensor.Float32, 2, 3)
	}
	feed["f1"] = randInput(tensor.Float32, 3, 2)
	_ = feed["f1"].Reshape(2, 3)
	m := buildModel(t, ins, []*layers.Tensor{layers.DotInteraction().Apply(ins...)})
	t.Logf("dot_interaction_multi: max error %.3g", parity(t, m, feed, 1e-5))
}
