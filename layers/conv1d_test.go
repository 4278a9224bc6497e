package layers_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConv1DErrors(t *testing.T) {
	cases := []struct {
		name  string
		layer layers.SingleLayer
		in    []int
		want  string
	}{
		{"bad padding", layers.Conv1D(2, 3, layers.WithPadding("full")), []int{5, 2}, `unknown padding "full"`},
		{"pool causal", layers.MaxPooling1D(2, layers.WithPadding("causal")), []int{5, 2}, `unknown padding "causal"`},
		{"kernel longer than steps", layers.Conv1D(2, 6), []int{5, 2}, "larger than the input size 5"},
		{"dilated kernel longer than steps", layers.Conv1D(2, 3, layers.WithDilation1D(3)), []int{6, 2}, "dilated to 7"},
		{"pool longer than steps", layers.AveragePooling1D(6), []int{5, 2}, "larger than the input size 5"},
		{"conv rank", layers.Conv1D(2, 3), []int{5, 5, 2}, "is not (steps, channels)"},
		{"pool rank", layers.MaxPooling1D(2), []int{5}, "is not (steps, channels)"},
		{"global rank", layers.GlobalMaxPooling1D(), []int{4, 4, 2}, "is not (steps, channels)"},
		{"zero filters", layers.Conv1D(0, 3), []int{5, 2}, "filters 0"},
		{"zero stride", layers.Conv1D(2, 3, layers.WithStride1D(0)), []int{5, 2}, "stride 0"},
		{"zero dilation", layers.Conv1D(2, 3, layers.WithDilation1D(0)), []int{5, 2}, "dilation 0"},
		{"2-d strides option", layers.Conv1D(2, 3, layers.WithStrides(2, 2)), []int{5, 2}, "does not take option(s) strides"},
		{"global takes no stride", layers.GlobalAveragePooling1D(layers.WithStride1D(2)), []int{5, 2}, "does not take option(s) strides_1d"},
	}
	for _, c := range cases {
		_, err := c.layer.Build(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}, c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestConv1DShapes(t *testing.T) {
	cases := []struct {
		layer   layers.SingleLayer
		in, out []int
	}{
		{layers.Conv1D(4, 3), []int{10, 2}, []int{8, 4}},
		{layers.Conv1D(4, 3, layers.WithPadding("same"), layers.WithStride1D(2)), []int{10, 2}, []int{5, 4}},
		{layers.Conv1D(4, 3, layers.WithPadding("causal"), layers.WithDilation1D(4)), []int{10, 2}, []int{10, 4}},
		{layers.Conv1D(4, 5, layers.WithPadding("causal")), []int{3, 2}, []int{3, 4}},
		{layers.MaxPooling1D(3), []int{10, 2}, []int{3, 2}},
		{layers.AveragePooling1D(3, layers.WithPadding("same")), []int{10, 2}, []int{4, 2}},
		{layers.GlobalAveragePooling1D(), []int{10, 2}, []int{2}},
	}
	for i, c := range cases {
		got, err := c.layer.Build(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}, c.in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.out) {
			t.Errorf("case %d (%s): %v, %v; want %v", i, c.layer.Type(), got, err, c.out)
		}
	}
}

// TestGlobalPooling1DMask checks that a mask recorded on the input leaves the
// padded steps out of both global pools, and that without one they are plain.
func TestGlobalPooling1DMask(t *testing.T) {
	x := []float64{1, 2, 3, 100, // example 0: steps 0-2 real, step 3 padding
		-1, -5, 7, 8} // example 1: all real
	mask := []float64{1, 1, 1, 0, 1, 1, 1, 1}
	for _, c := range []struct {
		layer        layers.SingleLayer
		masked       bool
		want0, want1 float64
	}{
		{layers.GlobalAveragePooling1D(), true, 2, 2.25},
		{layers.GlobalMaxPooling1D(), true, 3, 8},
		{layers.GlobalAveragePooling1D(), false, 26.5, 2.25},
		{layers.GlobalMaxPooling1D(), false, 100, 8},
	} {
		if _, err := c.layer.Build(layers.BuildContext{DType: tensor.Float64}, []int{4, 1}); err != nil {
			t.Fatal(err)
		}
		g, err := graph.New(graph.Infer, tensor.Float64, 2)
		if err != nil {
			t.Fatal(err)
		}
		xn, xt, err := g.Input("x", 4, 1)
		if err != nil {
			t.Fatal(err)
		}
		copy(xt.Data().([]float64), x)
		if c.masked {
			mn, mt, err := g.Input("mask", 4)
			if err != nil {
				t.Fatal(err)
			}
			copy(mt.Data().([]float64), mask)
			g.SetMask(xn, mn)
		}
		y, err := c.layer.Forward(g, xn)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g.ExprGraph())
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := y.Value().Data().([]float64)
		vm.Close()
		if got[0] != c.want0 || got[1] != c.want1 {
			t.Errorf("%s masked=%v: %v, want [%v %v]", c.layer.Type(), c.masked, got, c.want0, c.want1)
		}
	}
}

func ExampleConv1D() {
	model := layers.NewSequential(
		layers.Input(20, 8),
		layers.Conv1D(16, 3, layers.WithPadding("causal"), layers.WithDilation1D(2), layers.WithActivation("relu")),
		layers.MaxPooling1D(2),
		layers.Conv1D(32, 3, layers.WithStride1D(2)),
		layers.GlobalAveragePooling1D(),
	)
	fmt.Print(model.Summary())
	// Output:
	// Model: "sequential"
	// ________________________________________________________________________________________
	//  Layer (type)                                       Output Shape              Param #
	// ========================================================================================
	//  conv1d (Conv1D)                                    (None, 20, 16)            400
	// ________________________________________________________________________________________
	//  max_pooling1d (MaxPooling1D)                       (None, 10, 16)            0
	// ________________________________________________________________________________________
	//  conv1d_1 (Conv1D)                                  (None, 4, 32)             1568
	// ________________________________________________________________________________________
	//  global_average_pooling1d (GlobalAveragePooling1D)  (None, 32)                0
	// ========================================================================================
	// Total params: 1,968
	// Trainable params: 1,968
	// Non-trainable params: 0
	// ________________________________________________________________________________________
}
