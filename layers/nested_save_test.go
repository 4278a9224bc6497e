package layers_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// TestNestedModelSaveWhateverTheBuildOrder: a model built on its own and then applied
// inside another (a pretrained base), and a model first built inside another and
// then saved on its own, both save files that load, with the weights named by where
// they sit ("inner/dense/kernel" in the outer file, "dense/kernel" in the inner's).
func TestNestedModelSaveWhateverTheBuildOrder(t *testing.T) {
	makeInner := func() *layers.Functional {
		x := layers.NewInput("x", layers.Shape(4))
		m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{layers.Dense(3).Apply(x)}, layers.ModelName("inner"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	makeOuter := func(inner *layers.Functional) *layers.Functional {
		a := layers.NewInput("a", layers.Shape(4))
		// A layer named like the inner model's own, so only the paths keep them apart.
		h := layers.Dense(4, layers.WithName("dense")).Apply(a)
		out := layers.Dense(2, layers.WithName("head")).Apply(inner.Apply(h))
		m, err := layers.NewModel([]*layers.Tensor{a}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	roundTrip := func(m layers.Model, wantNames ...string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := m.Save(path); err != nil {
			t.Fatalf("save: %+v", err)
		}
		back, err := layers.Load(path)
		if err != nil {
			t.Fatalf("load: %+v", err)
		}
		paths, err := layers.WeightPaths(back)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range back.Params() {
			names = append(names, paths[p])
		}
		if got := strings.Join(names, " "); got != strings.Join(wantNames, " ") {
			t.Fatalf("weights %s, want %s", got, strings.Join(wantNames, " "))
		}
		a, b := m.Params(), back.Params()
		for i := range a {
			x, y := a[i].Float64s(), b[i].Float64s()
			for k := range x {
				if x[k] != y[k] {
					t.Fatalf("weight %s element %d: saved %v, loaded %v", names[i], k, x[k], y[k])
				}
			}
		}
	}
	outerNames := []string{"dense/kernel", "dense/bias", "inner/dense/kernel", "inner/dense/bias", "head/kernel", "head/bias"}

	// Pretrained base: inner built first.
	inner := makeInner()
	if err := inner.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	outer := makeOuter(inner)
	if err := outer.Build(layers.WithSeed(2)); err != nil {
		t.Fatal(err)
	}
	roundTrip(outer, outerNames...)
	roundTrip(inner, "dense/kernel", "dense/bias")

	// Inner built only through the outer model, then saved on its own.
	inner2 := makeInner()
	outer2 := makeOuter(inner2)
	if err := outer2.Build(layers.WithSeed(2)); err != nil {
		t.Fatal(err)
	}
	roundTrip(outer2, outerNames...)
	roundTrip(inner2, "dense/kernel", "dense/bias")
}

// TestSaveRefusesNestedUnsavableLayer: a layer without Config inside a nested model
// makes Save fail naming it, instead of writing a file Load cannot read.
func TestSaveRefusesNestedUnsavableLayer(t *testing.T) {
	x := layers.NewInput("x", layers.Shape(2))
	inner, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{layers.Apply(&plain{}, x)[0]}, layers.ModelName("inner"))
	if err != nil {
		t.Fatal(err)
	}
	a := layers.NewInput("a", layers.Shape(2))
	outer, err := layers.NewModel([]*layers.Tensor{a}, []*layers.Tensor{inner.Apply(a)})
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Build(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = outer.SaveTo(&buf)
	if err == nil || !strings.Contains(err.Error(), "no Config method") || !strings.Contains(err.Error(), `model "inner"`) {
		t.Fatalf("save: %v", err)
	}
}

// TestInputSharedAcrossDTypes: an Input built by a float32 model cannot silently
// become float64 for another model.
func TestInputSharedAcrossDTypes(t *testing.T) {
	a := layers.NewInput("a", layers.Shape(2))
	m1, err := layers.NewModel([]*layers.Tensor{a}, []*layers.Tensor{layers.Dense(1).Apply(a)})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := layers.NewModel([]*layers.Tensor{a}, []*layers.Tensor{layers.Dense(1).Apply(a)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m1.Build(); err != nil {
		t.Fatal(err)
	}
	err = m2.Build(layers.WithDType(tensor.Float64))
	if err == nil || !strings.Contains(err.Error(), `input "a"`) {
		t.Fatalf("build in float64: %v", err)
	}
	if got := m1.Inputs()[0].DType; got != tensor.Float32 {
		t.Fatalf("m1's input became %v", got)
	}
}
