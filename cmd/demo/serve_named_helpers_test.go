package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// testFunctional returns a built model of two inputs and two outputs: int64 ids
// "user_id" (1) through Embedding(10, 4) and Flatten, concatenated with float
// "features" (3), a ReLU Dense(8), then "click" (Dense(1), sigmoid) and "kind"
// (Dense(3), softmax).
func testFunctional(t *testing.T) *layers.Functional {
	t.Helper()
	ids := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	feats := layers.NewInput("features", layers.Shape(3))
	e := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(ids))
	h := layers.Dense(8, layers.WithActivation("relu")).Apply(layers.Concatenate(-1).Apply(e, feats))
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids, feats}, []*layers.Tensor{click, kind})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	return m
}

// testIDModel returns a built model of one int32 input "ids" (2) through
// Embedding(10, 3), Flatten and a softmax Dense(2).
func testIDModel(t *testing.T) *layers.Functional {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(2), layers.Int32)
	out := layers.Dense(2, layers.WithActivation("softmax")).Apply(layers.Flatten().Apply(layers.Embedding(10, 3).Apply(ids)))
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(2)); err != nil {
		t.Fatal(err)
	}
	return m
}

// saveModel saves m to a temporary file and returns its path.
func saveModel(t *testing.T, m layers.Model) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// namedWant is what a Predictor loaded from path gives by PredictNamed for the
// functional test model: ids as int64, features as float64.
func namedWant(t *testing.T, path string, ids []int64, feats []float64) map[string][]float32 {
	t.Helper()
	p, err := trainers.LoadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	n := len(ids)
	out, err := p.PredictNamed(context.Background(), map[string]*tensor.Dense{
		"user_id":  tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(append([]int64(nil), ids...))),
		"features": tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(append([]float64(nil), feats...))),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{}
	for name, y := range out {
		want[name] = y.Data().([]float32)
	}
	return want
}

// argmax32 is the index of the largest value of row.
func argmax32(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}
