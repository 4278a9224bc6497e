package layers_test

import (
	"context"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestConvLayerErrors: bad shapes and settings are errors at Build naming the layer
// and the shapes.
func TestConvLayerErrors(t *testing.T) {
	tests := []struct {
		name   string
		layers []layers.Layer
		want   []string
	}{
		{"conv on vectors", []layers.Layer{layers.Input(784), layers.Conv2D(6, 5)},
			[]string{"layer 1", "Conv2D", "input shape (784) is not (height, width, channels)"}},
		{"kernel larger than the input", []layers.Layer{layers.Input(4, 4, 1), layers.Conv2D(2, 5)},
			[]string{"Conv2D", "input (4, 4, 1)", "window of 5", "larger than the input size 4"}},
		{"kernel larger than the padded input", []layers.Layer{layers.Input(3, 3, 1), layers.ZeroPadding2D(1, 1, 1, 1), layers.Conv2D(2, 6)},
			[]string{"layer 2", "input (5, 5, 1)", "larger than the input size 5"}},
		{"dilated kernel larger than the input", []layers.Layer{layers.Input(6, 6, 1), layers.Conv2D(2, 3, layers.WithDilation(3, 3))},
			[]string{"dilated to 7", "input size 6"}},
		{"zero strides", []layers.Layer{layers.Input(8, 8, 1), layers.Conv2D(2, 3, layers.WithStrides(0, 1))},
			[]string{"Conv2D", "strides (0, 1) must be >= 1"}},
		{"zero filters", []layers.Layer{layers.Input(8, 8, 1), layers.Conv2D(0, 3)}, []string{"filters 0 must be positive"}},
		{"unknown padding", []layers.Layer{layers.Input(8, 8, 1), layers.Conv2D(2, 3, layers.WithPadding("full"))},
			[]string{`unknown padding "full"`}},
		{"pool zero strides", []layers.Layer{layers.Input(8, 8, 1), layers.MaxPooling2D(2, layers.WithStrides(2, 0))},
			[]string{"MaxPooling2D", "strides (2, 0) must be >= 1"}},
		{"pool larger than the input", []layers.Layer{layers.Input(3, 3, 2), layers.AveragePooling2D(4)},
			[]string{"AveragePooling2D", "input (3, 3, 2)", "larger than the input size 3"}},
		{"pool on vectors", []layers.Layer{layers.Input(10), layers.GlobalMaxPooling2D()},
			[]string{"GlobalMaxPooling2D", "input shape (10) is not (height, width, channels)"}},
		{"option not taken", []layers.Layer{layers.Input(8, 8, 1), layers.MaxPooling2D(2, layers.WithDilation(2, 2))},
			[]string{"MaxPooling2D does not take option(s) dilation"}},
		{"batch norm momentum", []layers.Layer{layers.Input(8), layers.BatchNormalization(layers.WithMomentum(1.5))},
			[]string{"BatchNormalization", "momentum 1.5"}},
		{"negative padding", []layers.Layer{layers.Input(8, 8, 1), layers.ZeroPadding2D(1, -1, 0, 0)},
			[]string{"ZeroPadding2D", "must not be negative"}},
		{"residual channels", []layers.Layer{layers.Input(4, 4, 3), layers.Residual([]layers.Layer{layers.Conv2D(8, 3, layers.WithPadding("same"))}, nil)},
			[]string{"Residual", "branch output (4, 4, 8) and the input (identity shortcut) (4, 4, 3) differ"}},
		{"residual shortcut size", []layers.Layer{layers.Input(6, 6, 2), layers.Residual(
			[]layers.Layer{layers.Conv2D(4, 3, layers.WithStrides(2, 2), layers.WithPadding("same"))},
			[]layers.Layer{layers.Conv2D(4, 1)})},
			[]string{"branch output (3, 3, 4) and the shortcut output (6, 6, 4) differ"}},
		{"residual sub-layer", []layers.Layer{layers.Input(6, 6, 2), layers.Residual([]layers.Layer{layers.Conv2D(4, 7)}, nil)},
			[]string{"Residual", "branch layer 0", "input shape (6, 6, 2)", "larger than the input size 6"}},
		{"empty residual", []layers.Layer{layers.Input(6, 6, 2), layers.Residual(nil, nil)}, []string{"the branch has no layers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := layers.NewSequential(tc.layers...).Build()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func leNetish() *layers.Sequential {
	return layers.NewSequential(layers.Input(12, 12, 1),
		layers.Conv2D(4, 3, layers.WithActivation("relu"), layers.WithPadding("same")),
		layers.MaxPooling2D(2),
		layers.BatchNormalization(),
		layers.Flatten(),
		layers.Dense(3, layers.WithActivation("softmax")))
}

func images(n int, shape ...int) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(3))
	size := n
	for _, d := range shape {
		size *= d
	}
	x := make([]float32, size)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(rng.Intn(3))
	}
	return tensor.New(tensor.WithShape(append([]int{n}, shape...)...), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
}

// TestConvFitErrors: trainers.New and Fit report a model that cannot be built and
// data of the wrong shape, naming the layer and the shapes, without panicking.
func TestConvFitErrors(t *testing.T) {
	bad := layers.NewSequential(layers.Input(4, 4, 1), layers.Conv2D(2, 5))
	if _, err := trainers.New(bad, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard)); err == nil ||
		!strings.Contains(err.Error(), "larger than the input size 4") || !strings.Contains(err.Error(), "layer 1") {
		t.Errorf("New with a kernel larger than the input: error %v", err)
	}
	tr, err := trainers.New(leNetish(), trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	for _, shape := range [][]int{{12, 12, 3}, {144}, {12, 11, 1}} {
		x, y := images(4, shape...)
		_, err := tr.Fit(context.Background(), x, y, trainers.Verbose(0))
		if err == nil || !strings.Contains(err.Error(), "(12, 12, 1)") {
			t.Errorf("Fit on data %v: error %v, want one naming the expected shape (12, 12, 1)", shape, err)
		}
	}
	// A layer fed a node of the wrong rank returns an error, not a panic.
	conv := layers.Conv2D(2, 3)
	conv.SetName("c")
	if _, err := conv.Build(layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1))}, []int{5, 5, 1}); err != nil {
		t.Fatal(err)
	}
	g, _ := graph.New(graph.Train, tensor.Float64, 2)
	x, _, _ := g.Input("x", 25)
	if _, err := conv.Forward(g, x); err == nil || !strings.Contains(err.Error(), `Conv2D "c"`) {
		t.Errorf("Forward on (2, 25): error %v", err)
	}
}
