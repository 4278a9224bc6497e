package layers_test

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// variableIDs returns n rows of steps ids in [1, 20), the last row half padded.
func variableIDs(n, steps int) *tensor.Dense {
	v := make([]int64, n*steps)
	for i := range v {
		v[i] = int64(1 + (i*7)%19)
	}
	for j := steps - steps/2; j < steps; j++ {
		v[(n-1)*steps+j] = 0
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(v))
}

// variableFunctional builds ids (8) [variable] → Embedding(mask_zero) →
// GlobalAveragePooling1D → Dense(3, softmax).
func variableFunctional(t *testing.T, variable bool) *layers.Functional {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(8), layers.Int64)
	if variable {
		ids = ids.WithVariableSteps()
	}
	h := layers.Embedding(20, 4, layers.WithMaskZero(true)).Apply(ids)
	h = layers.Apply(layers.GlobalAveragePooling1D(), h)[0]
	out := layers.Dense(3, layers.WithActivation("softmax")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(6)); err != nil {
		t.Fatal(err)
	}
	return m
}

// saveLoad saves m to a temporary file, checks whether the file mentions
// "variable_steps", and loads it back.
func saveLoad(t *testing.T, m layers.Model, wantKey bool) layers.Model {
	t.Helper()
	var buf bytes.Buffer
	if err := layers.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Contains(buf.Bytes(), []byte("variable_steps")); got != wantKey {
		t.Errorf("the saved file mentions variable_steps: %v, want %v", got, wantKey)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	var err error
	switch s := m.(type) {
	case *layers.Sequential:
		err = s.Save(path)
	case *layers.Functional:
		err = s.Save(path)
	default:
		t.Fatalf("model %T", m)
	}
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// predictAt returns the trainer's predictions for x.
func predictAt(t *testing.T, m layers.Model, x *tensor.Dense) (*tensor.Dense, error) {
	t.Helper()
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return tr.Predict(x)
}

// TestVariableStepsSaveLoadFunctional: the flag of a functional input survives
// Save and Load; the loaded model predicts on shorter inputs as the original
// does. A fixed input stays fixed and its file has no "variable_steps".
func TestVariableStepsSaveLoadFunctional(t *testing.T) {
	m := variableFunctional(t, true)
	loaded := saveLoad(t, m, true)
	f, ok := loaded.(*layers.Functional)
	if !ok {
		t.Fatalf("loaded %T, want *layers.Functional", loaded)
	}
	if v := f.VariableInputs(); len(v) != 1 || !v[0] {
		t.Fatalf("loaded VariableInputs %v, want [true]", v)
	}
	x := variableIDs(5, 5)
	want, err := predictAt(t, m, x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := predictAt(t, f, x)
	if err != nil {
		t.Fatalf("predict on 5 of 8 steps after Load: %v", err)
	}
	if s := got.Shape(); s.Dims() != 2 || s[0] != 5 || s[1] != 3 {
		t.Fatalf("predictions of shape %v, want (5, 3)", s)
	}
	if d := maxDiff(harnessValues(want), harnessValues(got)); d > 1e-6 {
		t.Errorf("the loaded model predicts differently on short inputs (%g)", d)
	}

	fixed := saveLoad(t, variableFunctional(t, false), false)
	if v := fixed.(*layers.Functional).VariableInputs(); len(v) != 1 || v[0] {
		t.Errorf("loaded fixed model: VariableInputs %v, want [false]", v)
	}
	if _, err := predictAt(t, fixed, x); err == nil {
		t.Error("a loaded fixed-length model predicted on 5 of 8 steps")
	}
}

// TestVariableStepsSaveLoadSequential: the same for Sequential's
// Input(8, 3).WithVariableSteps().
func TestVariableStepsSaveLoadSequential(t *testing.T) {
	m := layers.NewSequential(layers.Input(8, 3).WithVariableSteps(), layers.Dense(4, layers.WithActivation("tanh")),
		layers.GlobalAveragePooling1D(), layers.Dense(2))
	if err := m.Build(layers.WithSeed(2)); err != nil {
		t.Fatal(err)
	}
	loaded := saveLoad(t, m, true)
	s, ok := loaded.(*layers.Sequential)
	if !ok {
		t.Fatalf("loaded %T, want *layers.Sequential", loaded)
	}
	if v := s.VariableInputs(); len(v) != 1 || !v[0] {
		t.Fatalf("loaded VariableInputs %v, want [true]", v)
	}
	vals := make([]float32, 4*5*3)
	for i := range vals {
		vals[i] = float32(i%7) / 7
	}
	x := tensor.New(tensor.WithShape(4, 5, 3), tensor.WithBacking(vals))
	want, err := predictAt(t, m, x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := predictAt(t, s, x)
	if err != nil {
		t.Fatalf("predict on 5 of 8 steps after Load: %v", err)
	}
	if d := maxDiff(harnessValues(want), harnessValues(got)); d > 1e-6 {
		t.Errorf("the loaded model predicts differently on short inputs (%g)", d)
	}
}

// TestVariableStepsConfig: the key is written only for a variable input, so
// that other inputs' configs are as before.
func TestVariableStepsConfig(t *testing.T) {
	if _, ok := layers.Input(8).Config().Config["variable_steps"]; ok {
		t.Error("a fixed input's config has variable_steps")
	}
	if v, ok := layers.Input(8).WithVariableSteps().Config().Config["variable_steps"]; !ok || v != true {
		t.Errorf("a variable input's config has variable_steps %v (%v), want true", v, ok)
	}
}

// TestVariableStepsBadValue: a "variable_steps" that is not a boolean is a load
// error that names it, for Sequential and Functional files.
func TestVariableStepsBadValue(t *testing.T) {
	input := `{"class_name":"InputLayer","name":"input_layer","config":{"shape":[8,3],"variable_steps":"yes"}}`
	files := map[string]string{
		"sequential": seqArch(input, denseJSON("dense", "2")),
		"functional": `{"class_name":"Functional","name":"model","dtype":"float32","layers":[` +
			`{"class_name":"InputLayer","name":"x","config":{"shape":[8,3],"variable_steps":"yes"},"inbound_nodes":[]}],` +
			`"input_layers":[["x",0,0]],"output_layers":[["x",0,0]]}`,
	}
	for name, arch := range files {
		_, err := layers.LoadFrom(bytes.NewReader(craft(t, arch, map[string][]int{"dense/kernel": {3, 2}, "dense/bias": {2}})))
		if err == nil || !strings.Contains(err.Error(), "variable_steps") {
			t.Errorf("%s: error %v, want one naming variable_steps", name, err)
		}
	}
}
