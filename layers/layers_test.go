package layers_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func randInput(seed int64, shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = rng.Float64()*4 - 2
		if data[i] > -0.05 && data[i] < 0.05 { // keep off the kinks of relu-like functions
			data[i] += 0.1
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// TestLayerGradients checks every layer's gradient, with respect to its input and
// its parameters, against finite differences in float64.
func TestLayerGradients(t *testing.T) {
	var acts []string
	for _, a := range graph.ActivationNames() {
		if a != "hard_sigmoid" { // kinks at ±2.5 are reachable from random weights
			acts = append(acts, a)
		}
	}
	type tc struct {
		name  string
		layer layers.SingleLayer
		in    []int
	}
	tests := []tc{
		{"dense no bias", layers.Dense(3, layers.WithBias(false)), []int{4}},
		{"dense on 3-d input", layers.Dense(3, layers.WithActivation("tanh")), []int{2, 4}},
		{"activation softmax", layers.Activation("softmax"), []int{5}},
		{"dropout", layers.Dropout(0.4), []int{6}},
		{"flatten", layers.Flatten(), []int{2, 3}},
		{"reshape", layers.Reshape([]int{3, -1}), []int{6}},
	}
	for _, a := range acts {
		tests = append(tests, tc{"dense " + a, layers.Dense(3, layers.WithActivation(a)), []int{4}})
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.layer.SetName("layer")
			ctx := layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(int64(i)))}
			if _, err := tc.layer.Build(ctx, tc.in); err != nil {
				t.Fatal(err)
			}
			x := randInput(int64(100+i), append([]int{3}, tc.in...)...)
			res, err := graph.CheckGradientParams(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
				return tc.layer.Forward(g, in[0])
			}, []*tensor.Dense{x}, tc.layer.Params(), 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxRelErr > 1e-6 {
				t.Error(res)
			}
		})
	}
}

// TestLayerErrors: bad settings are errors at Build that name the layer's problem.
func TestLayerErrors(t *testing.T) {
	tests := []struct {
		name  string
		model *layers.Sequential
		want  []string
	}{
		{"no input", layers.NewSequential(layers.Dense(2)), []string{"layer 0", "Input"}},
		{"zero units", layers.NewSequential(layers.Input(2), layers.Dense(0)), []string{"layer 1 (dense)", "units 0"}},
		{"option not taken", layers.NewSequential(layers.Input(2), layers.Dropout(0.5, layers.WithActivation("relu"))), []string{"Dropout does not take option(s) activation"}},
		{"dropout rate", layers.NewSequential(layers.Input(2), layers.Dropout(1)), []string{"rate 1"}},
		{"reshape size", layers.NewSequential(layers.Input(6), layers.Reshape([]int{4, -1})), []string{"cannot reshape (6) (6 elements) to (4, -1)"}},
		{"bad initializer", layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithKernelInitializerName("xavier"))), []string{"unknown initializer \"xavier\"", "glorot_uniform"}},
		{"duplicate names", layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithName("a")), layers.Dense(2, layers.WithName("a"))), []string{"two layers named \"a\""}},
		{"empty input", layers.NewSequential(layers.Input()), []string{"no shape"}},
	}
	for _, tc := range tests {
		err := tc.model.Build()
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

func TestSequentialShapesAndNames(t *testing.T) {
	m := layers.NewSequential(layers.Input(4, 3), layers.Flatten(), layers.Dense(8), layers.Dropout(0.1),
		layers.Dense(8, layers.WithName("head")), layers.Dense(2), layers.Activation("softmax"))
	if err := m.Build(layers.WithSeed(1), layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range m.Layers() {
		names = append(names, l.Name())
	}
	if got := strings.Join(names, " "); got != "input_layer flatten dense dropout head dense_1 activation" {
		t.Errorf("names %q", got)
	}
	if out := m.OutputShape(); len(out) != 1 || out[0] != 2 {
		t.Errorf("output shape %v, want [2]", out)
	}
	if m.DType() != tensor.Float64 || m.Params()[0].Value.Dtype() != tensor.Float64 {
		t.Error("float64 model has float32 weights")
	}
	s := m.Summary()
	for _, w := range []string{"flatten (Flatten)           (None, 12)", "head (Dense)", "Total params: 194", "Non-trainable params: 0"} {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
}

// TestSameSeedSameWeights: building twice with one seed gives identical weights;
// another seed gives others.
func TestSameSeedSameWeights(t *testing.T) {
	build := func(seed int64) []float64 {
		m := layers.NewSequential(layers.Input(3), layers.Dense(4, layers.WithKernelInitializerName("he_normal")))
		if err := m.Build(layers.WithSeed(seed)); err != nil {
			t.Fatal(err)
		}
		return m.Params()[0].Float64s()
	}
	a, b, c := build(1), build(1), build(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed, different weights")
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("different seeds, same weights")
	}
}

// TestKerasNames: layer names follow Keras (conv2d, max_pooling2d, not conv2_d).
func TestKerasNames(t *testing.T) {
	m := layers.NewSequential(layers.Input(8, 8, 1), layers.Conv2D(2, 3), layers.MaxPooling2D(2), layers.BatchNormalization())
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range m.Layers()[1:] {
		names = append(names, l.Name())
	}
	if got := strings.Join(names, " "); got != "conv2d max_pooling2d batch_normalization" {
		t.Errorf("names %q", got)
	}
}
