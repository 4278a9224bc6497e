package layers_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainable returns the trainable params of ps (the gradient check perturbs them).
func trainable(ps []*graph.Param) []*graph.Param {
	var out []*graph.Param
	for _, p := range ps {
		if p.Trainable {
			out = append(out, p)
		}
	}
	return out
}

// TestConvLayerGradients checks the convolutional layers' gradients with respect
// to the input and the trainable parameters against finite differences (float64).
func TestConvLayerGradients(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.SingleLayer
		in    []int
	}{
		{"conv valid", layers.Conv2D(3, 3), []int{5, 5, 2}},
		{"conv same tanh", layers.Conv2D(2, 3, layers.WithPadding("same"), layers.WithActivation("tanh")), []int{4, 5, 2}},
		{"conv same strides 2 kernel 2x3", layers.Conv2D(2, 0, layers.WithKernelSize(2, 3), layers.WithStrides(2, 2), layers.WithPadding("same")), []int{5, 6, 1}},
		{"conv dilation 2 no bias", layers.Conv2D(2, 2, layers.WithDilation(2, 2), layers.WithBias(false)), []int{5, 5, 2}},
		{"conv l2", layers.Conv2D(2, 2, layers.WithKernelRegularizer(graph.L2(0.1))), []int{3, 3, 2}},
		{"max pool", layers.MaxPooling2D(2), []int{4, 4, 2}},
		{"max pool same strides 1", layers.MaxPooling2D(3, layers.WithStrides(1, 1), layers.WithPadding("same")), []int{3, 4, 2}},
		{"average pool 2x3 same", layers.AveragePooling2D(0, layers.WithPoolSize(2, 3), layers.WithPadding("same")), []int{5, 5, 2}},
		{"global average pool", layers.GlobalAveragePooling2D(), []int{3, 4, 2}},
		{"global max pool", layers.GlobalMaxPooling2D(), []int{3, 4, 2}},
		{"zero padding", layers.ZeroPadding2D(1, 0, 2, 1), []int{2, 3, 2}},
		{"batch norm images", layers.BatchNormalization(), []int{3, 3, 2}},
		{"batch norm vectors", layers.BatchNormalization(layers.WithMomentum(0.9), layers.WithEpsilon(1e-2)), []int{4}},
		{"residual identity", layers.Residual([]layers.Layer{
			layers.Conv2D(2, 3, layers.WithPadding("same"), layers.WithActivation("tanh")),
			layers.BatchNormalization(),
		}, nil, layers.WithActivation("tanh")), []int{4, 4, 2}},
		{"residual projection", layers.Residual([]layers.Layer{
			layers.Conv2D(3, 3, layers.WithPadding("same"), layers.WithStrides(2, 2)),
		}, []layers.Layer{layers.Conv2D(3, 1, layers.WithStrides(2, 2))}), []int{5, 5, 2}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.layer.SetName("layer")
			ctx := layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(int64(i)))}
			if _, err := tc.layer.Build(ctx, tc.in); err != nil {
				t.Fatal(err)
			}
			// Move beta and the moving statistics off their defaults.
			for _, p := range tc.layer.Params() {
				if !p.Trainable || len(p.Value.Shape()) == 1 {
					v := p.Float64s()
					for j := range v {
						v[j] += 0.1 * float64(j+1)
					}
					if err := p.SetFloat64s(v); err != nil {
						t.Fatal(err)
					}
				}
			}
			x := randInput(int64(200+i), append([]int{2}, tc.in...)...)
			res, err := graph.CheckGradientParams(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
				return tc.layer.Forward(g, in[0])
			}, []*tensor.Dense{x}, trainable(tc.layer.Params()), 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxRelErr > 1e-6 {
				t.Error(res)
			}
			t.Logf("max relative error %.2g", res.MaxRelErr)
		})
	}
}

// TestConv2DInit: the default kernel is glorot_uniform with Keras' fans for a
// convolution: limit sqrt(6/(kh·kw·in + kh·kw·filters)).
func TestConv2DInit(t *testing.T) {
	l := layers.Conv2D(16, 5)
	l.SetName("c")
	if _, err := l.Build(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}, []int{14, 14, 6}); err != nil {
		t.Fatal(err)
	}
	limit := math.Sqrt(6 / float64(25*6+25*16))
	var maxAbs float64
	for _, v := range l.Kernel().Float64s() {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	if maxAbs > limit || maxAbs < 0.95*limit {
		t.Errorf("largest |kernel| %g, want just below the glorot limit %g", maxAbs, limit)
	}
	if got := l.Kernel().Value.Shape(); !got.Eq(tensor.Shape{5, 5, 6, 16}) {
		t.Errorf("kernel shape %v, want (5, 5, 6, 16)", got)
	}
	for _, v := range l.Bias().Float64s() {
		if v != 0 {
			t.Fatalf("bias %v, want zeros", l.Bias().Float64s())
		}
	}
}
