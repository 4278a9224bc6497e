package onnx

import (
	"bytes"
	"math"
	"path/filepath"

	"github.com/gokeras/gokeras/trainers"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

func TestDenseActivationsParity(t *testing.T) {
	for _, act := range graph.ActivationNames() {
		t.Run(act, func(t *testing.T) {
			m := seqModel(t, []int{5}, layers.Dense(4, layers.WithActivation(act)), layers.Dense(3))
			x := randInput(tensor.Float32, 3, 5)
			worst := parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5)
			t.Logf("%s: max error %.3g", act, worst)
		})
	}
}

func TestDenseRank3AndActivationLayer(t *testing.T) {
	m := seqModel(t, []int{4, 6}, layers.Dense(5, layers.WithBias(false)), layers.Activation("gelu_tanh"), layers.Dropout(0.5), layers.Dense(2, layers.WithActivation("softmax")))
	x := randInput(tensor.Float32, 2, 4, 6)
	t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5))
}

func TestDenseFloat64(t *testing.T) {
	m := layers.NewSequential(layers.Input(3), layers.Dense(4, layers.WithActivation("tanh")), layers.Dense(2))
	if err := m.Build(layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	x := randInput(tensor.Float64, 3, 3)
	t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-12))
}

// TestFloat64AsFloat32 exports a float64 conv model as float32 (ONNX Runtime's CPU
// has no double Conv) and compares with gokeras' float64 predictions.
func TestFloat64AsFloat32(t *testing.T) {
	m := layers.NewSequential(layers.Input(6, 6, 2), layers.Conv2D(3, 3, layers.WithPadding("same")), layers.AveragePooling2D(2),
		layers.BatchNormalization(), layers.Flatten(), layers.Dense(2, layers.WithActivation("gelu")))
	if err := m.Build(layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	perturb(m)
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := Save(m, path, WithFloatType(tensor.Float32)); err != nil {
		t.Fatal(err)
	}
	checkONNX(t, path)
	x64 := randInput(tensor.Float64, 2, 6, 6, 2)
	x32 := randInput(tensor.Float32, 2, 6, 6, 2)
	name := m.Inputs()[0].Name
	got := runORT(t, path, map[string]*tensor.Dense{name: x32})[m.Outputs()[0].Name]
	want, err := trainers.Predict(m, x64)
	if err != nil {
		t.Fatal(err)
	}
	wv := want.Data().([]float64)
	worst := 0.0
	for i := range wv {
		worst = math.Max(worst, math.Abs(got.Data[i]-wv[i]))
	}
	if len(got.Data) != len(wv) || worst > 1e-5 {
		t.Fatalf("%d values for %d; max error %g", len(got.Data), len(wv), worst)
	}
	t.Logf("max error %.3g", worst)
	if err := Export(m, &bytes.Buffer{}, WithFloatType(tensor.Int64)); err == nil {
		t.Error("WithFloatType(Int64) accepted")
	}
}
