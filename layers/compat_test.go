package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestLoadVersion1Sequential loads a model file written by the release before
// functional models (testdata/v1/main.go made it at commit d955303) and checks that
// it predicts what that release predicted, that its architecture and attachments
// survive, and that building the same architecture today with the same seed gives
// the same initial weights (so the new weight-making path changed no initializer).
func TestLoadVersion1Sequential(t *testing.T) {
	m, err := layers.Load(filepath.Join("testdata", "v1_sequential.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*layers.Sequential); !ok {
		t.Fatalf("loaded %T, want *layers.Sequential", m)
	}
	var want struct {
		X []float32 `json:"x"`
		Y []float32 `json:"y"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", "v1_sequential.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithLoss("categorical_crossentropy"))
	if err != nil {
		t.Fatal(err)
	}
	y, err := tr.Predict(tensor.New(tensor.WithShape(2, 6, 6, 2), tensor.WithBacking(want.X)))
	if err != nil {
		t.Fatal(err)
	}
	// The fixture was made with the pure-Go BLAS; OpenBLAS (-tags openblas) sums in
	// another order, so allow a few float32 ulps.
	got := y.Data().([]float32)
	for i := range want.Y {
		if d := math.Abs(float64(got[i] - want.Y[i])); d > 1e-6*math.Max(1, math.Abs(float64(want.Y[i]))) {
			t.Fatalf("prediction %d: got %v, the v1 release predicted %v", i, got[i], want.Y[i])
		}
	}
	var note map[string]string
	if ok, err := m.Attachment("note", &note); !ok || err != nil || note["saved_by"] != "d955303" {
		t.Fatalf("attachment: ok %v err %v value %v", ok, err, note)
	}

	fresh := layers.NewSequential(
		layers.Input(6, 6, 2),
		layers.Conv2D(4, 3, layers.WithPadding("same"), layers.WithActivation("relu"), layers.WithKernelRegularizer(graph.L2(1e-3))),
		layers.BatchNormalization(),
		layers.Residual([]layers.Layer{
			layers.Conv2D(4, 3, layers.WithPadding("same"), layers.WithActivation("relu")),
			layers.Conv2D(4, 3, layers.WithPadding("same")),
		}, nil, layers.WithActivation("relu")),
		layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.25),
		layers.Dense(8, layers.WithActivation("tanh")),
		layers.Dense(3, layers.WithActivation("softmax")),
	)
	if err := fresh.Build(layers.WithSeed(7)); err != nil {
		t.Fatal(err)
	}
	loaded := m.Params()
	if len(loaded) != len(fresh.Params()) {
		t.Fatalf("%d params loaded, %d built", len(loaded), len(fresh.Params()))
	}
	for i, p := range fresh.Params() {
		if p.Name != loaded[i].Name {
			t.Fatalf("param %d: built %q, loaded %q", i, p.Name, loaded[i].Name)
		}
		if !p.Trainable {
			continue // the fixture moved the statistics
		}
		a, b := p.Float64s(), loaded[i].Float64s()
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("param %s element %d: built %v, the v1 release built %v", p.Name, k, a[k], b[k])
			}
		}
		if p.Regularizer != loaded[i].Regularizer {
			t.Fatalf("param %s: regularizer %v, loaded %v", p.Name, p.Regularizer, loaded[i].Regularizer)
		}
	}
}
