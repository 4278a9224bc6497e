package layers_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// TestClassNames: names are checked against the output (also before Build), saved
// with the model, and names that do not fit the output are refused when read.
func TestClassNames(t *testing.T) {
	m := layers.NewSequential(layers.Input(4), layers.Dense(3, layers.WithActivation("softmax")))
	if names, err := layers.ClassNames(m); err != nil || names != nil {
		t.Errorf("no names set: %v, %v", names, err)
	}
	for _, bad := range [][]string{{"a", "b"}, {"a", "b", "a"}, {"a", "", "c"}, nil} {
		if err := layers.SetClassNames(m, bad...); err == nil {
			t.Errorf("names %q accepted for 3 classes", bad)
		}
	}
	if m.Built() {
		t.Fatal("SetClassNames built the model")
	}
	if err := layers.SetClassNames(m, "setosa", "versicolor", "virginica"); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	names, err := layers.ClassNames(l)
	if err != nil || strings.Join(names, ",") != "setosa,versicolor,virginica" {
		t.Errorf("loaded names %q, %v", names, err)
	}
	// A sigmoid output of one unit takes two names.
	b := layers.NewSequential(layers.Input(2), layers.Dense(1, layers.WithActivation("sigmoid")))
	if err := layers.SetClassNames(b, "no", "yes"); err != nil {
		t.Error(err)
	}
	// Names that do not fit (written around SetClassNames) are refused when read.
	if err := l.Attach(layers.AttachmentClassNames, map[string][]string{l.Outputs()[0].Name: {"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := layers.ClassNames(l); err == nil {
		t.Error("one name for three classes read without an error")
	}
}

// TestOutputClassNames: a model of several outputs names each output's classes.
func TestOutputClassNames(t *testing.T) {
	x := layers.NewInput("x", layers.Shape(3))
	a := layers.Dense(2, layers.WithName("a")).Apply(x)
	c := layers.Dense(3, layers.WithName("c")).Apply(x)
	m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{a, c})
	if err != nil {
		t.Fatal(err)
	}
	if err := layers.SetClassNames(m, "x", "y"); err == nil || !strings.Contains(err.Error(), "SetOutputClassNames") {
		t.Errorf("one-output helper on two outputs: %v", err)
	}
	if err := layers.SetOutputClassNames(m, "c", "p", "q", "r"); err != nil {
		t.Fatal(err)
	}
	if err := layers.SetOutputClassNames(m, "d", "p"); err == nil || !strings.Contains(err.Error(), "a, c") {
		t.Errorf("unknown output: %v", err)
	}
	got, err := layers.OutputClassNames(m, "c")
	if err != nil || strings.Join(got, ",") != "p,q,r" {
		t.Errorf("names %q, %v", got, err)
	}
	if got, err := layers.OutputClassNames(m, "a"); err != nil || got != nil {
		t.Errorf("output without names: %q, %v", got, err)
	}
}
