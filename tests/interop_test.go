package tests

// Interop with PyTorch: a trained gokeras model file and Go's predictions, which
// tests/interop/check_torch.py loads into the same PyTorch architecture (parsing
// the safetensors file by hand) and compares. Every name starts with "interop".

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// Files of the interop fixture, relative to this package's directory.
const (
	interopModelFile = "interop/iris_mlp.safetensors"
	interopDataFile  = "interop/iris_mlp.json"
)

// interopTol bounds the difference between Go's predictions now and the recorded
// ones (the same float32 program: they are expected to be equal).
const interopTol = 1e-6

// interopArray is a row-major array: its shape and its values (float32 values
// written as JSON doubles).
type interopArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// interopFixture is the JSON beside the model file.
type interopFixture struct {
	Description string       `json:"description"`
	Model       string       `json:"model"`
	TestAcc     float64      `json:"test_accuracy"`
	Inputs      interopArray `json:"inputs"`
	Outputs     interopArray `json:"outputs"`
}

// interopTrain trains the fixture's model: a 4-16-3 MLP (relu, softmax) on the
// standardized iris training split, and returns it with the standardized test
// split.
func interopTrain(t *testing.T) (*layers.Sequential, *datasets.Tensor) {
	t.Helper()
	iris, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	var sc datasets.StandardScaler
	if err := sc.Fit(iris.Train.X()); err != nil {
		t.Fatal(err)
	}
	train, err := sc.TransformDataset(iris.Train)
	if err != nil {
		t.Fatal(err)
	}
	test, err := sc.TransformDataset(iris.Test)
	if err != nil {
		t.Fatal(err)
	}
	m := layers.NewSequential(layers.Input(4),
		layers.Dense(16, layers.WithActivation("relu")),
		layers.Dense(3, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.01)), trainers.WithSeed(42), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.FitDataset(context.Background(), train, trainers.Epochs(60), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	return m, test
}

// interopInputs is the standardized test split and four rows far outside the
// data (large logits, where a careless softmax overflows), rounded to float32, the
// model's dtype.
func interopInputs(test *datasets.Tensor) *tensor.Dense {
	x := interopFloats(test.X())
	x = append(x, 0, 0, 0, 0, 8, -8, 8, -8, -12, 6, -12, -12, 30, 30, 30, 30)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(len(x)/4, 4), tensor.WithBacking(x32))
}

func interopFloats(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	}
	return nil
}

// interopPredict runs x through the model with a Predictor.
func interopPredict(t *testing.T, m layers.Model, x *tensor.Dense) []float64 {
	t.Helper()
	p, err := trainers.NewPredictor(m)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	y, err := p.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	return interopFloats(y)
}

// interopAccuracy is the share of the first len(labels) rows of probs (3 per row)
// whose argmax is the label.
func interopAccuracy(probs []float64, labels []float64) float64 {
	right := 0
	for i, l := range labels {
		best := 0
		for j := 1; j < 3; j++ {
			if probs[i*3+j] > probs[i*3+best] {
				best = j
			}
		}
		if float64(best) == l {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

// TestInteropFixture writes the fixture with GOKERAS_WRITE_INTEROP=1; otherwise it
// loads the recorded model file and checks that Go still predicts the recorded
// outputs for the recorded inputs. Run tests/interop/check_torch.py to compare
// them with PyTorch.
func TestInteropFixture(t *testing.T) {
	if os.Getenv("GOKERAS_WRITE_INTEROP") == "1" {
		interopWrite(t)
		return
	}
	b, err := os.ReadFile(interopDataFile)
	if err != nil {
		t.Fatalf("%v (write the fixture with GOKERAS_WRITE_INTEROP=1 go test ./tests -run Interop)", err)
	}
	var fix interopFixture
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatal(err)
	}
	m, err := layers.Load(filepath.Join(filepath.Dir(interopDataFile), fix.Model))
	if err != nil {
		t.Fatal(err)
	}
	if in, out := m.InputShape(), m.OutputShape(); len(in) != 1 || in[0] != 4 || len(out) != 1 || out[0] != 3 {
		t.Fatalf("the recorded model takes %v and gives %v, want (4) and (3)", in, out)
	}
	if len(fix.Inputs.Shape) != 2 || fix.Inputs.Shape[1] != 4 || len(fix.Inputs.Data) != fix.Inputs.Shape[0]*4 ||
		len(fix.Outputs.Data) != fix.Inputs.Shape[0]*3 {
		t.Fatalf("inconsistent fixture: inputs %v (%d values), %d outputs", fix.Inputs.Shape, len(fix.Inputs.Data), len(fix.Outputs.Data))
	}
	x := tensor.New(tensor.WithShape(fix.Inputs.Shape...), tensor.WithBacking(append([]float64(nil), fix.Inputs.Data...)))
	got := interopPredict(t, m, x)
	worst := 0.0
	for i, w := range fix.Outputs.Data {
		d := math.Abs(got[i] - w)
		worst = math.Max(worst, d)
		if d > interopTol {
			t.Errorf("row %d output %d: got %v, recorded %v", i/3, i%3, got[i], w)
		}
	}
	t.Logf("%d rows reproduced, max |diff| %.3g", fix.Inputs.Shape[0], worst)
}

// interopWrite trains the model and writes the model file and the JSON.
func interopWrite(t *testing.T) {
	m, test := interopTrain(t)
	x := interopInputs(test)
	probs := interopPredict(t, m, x)
	if err := os.MkdirAll(filepath.Dir(interopModelFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(interopModelFile); err != nil {
		t.Fatal(err)
	}
	acc := interopAccuracy(probs, interopFloats(test.Y()))
	fix := interopFixture{
		Description: "gokeras 4-16-3 MLP (relu, softmax), float32, trained 60 epochs on the " +
			"standardized iris training split; inputs: the standardized test split (30 rows) " +
			"then 4 rows far outside the data; outputs: Go's softmax probabilities",
		Model:   filepath.Base(interopModelFile),
		TestAcc: acc,
		Inputs:  interopArray{Shape: x.Shape().Clone(), Data: interopFloats(x)},
		Outputs: interopArray{Shape: []int{x.Shape()[0], 3}, Data: probs},
	}
	b, err := json.MarshalIndent(fix, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(interopDataFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s (test accuracy %.3f)", interopModelFile, interopDataFile, acc)
}
