package main

import (
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
)

// testModel returns a built 4-8-3 softmax model; with scaler it carries a
// StandardScaler under "scaler".
func testModel(t *testing.T, scaler bool) *layers.Sequential {
	t.Helper()
	m := layers.NewSequential(layers.Input(4),
		layers.Dense(8, layers.WithActivation("relu")),
		layers.Dense(3, layers.WithActivation("softmax")))
	if err := m.Build(layers.WithSeed(3)); err != nil {
		t.Fatal(err)
	}
	if scaler {
		sc := datasets.StandardScaler{Mean: []float64{5, 3, 4, 1}, Scale: []float64{0.8, 0.4, 1.7, 0.7}}
		if err := m.Attach(scalerAttachment, sc); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// saveTestModel saves testModel to a temporary file and returns its path.
func saveTestModel(t *testing.T, scaler bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := testModel(t, scaler).Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// testServing loads the model at path for serving and closes it at the end of
// the test.
func testServing(t *testing.T, path string) *servingModel {
	t.Helper()
	sm, err := loadServingModel(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.close)
	return sm
}
