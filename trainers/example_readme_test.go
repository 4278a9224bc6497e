package trainers_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// The README's "A model in ten lines": a dense network trained on tensors x
// and y, here 400 points of two moons from package datasets, then used to predict
// new points. README.md shows this code without the data, the error checks and
// the last printing (TestREADMETenLines keeps the two the same).
func Example_modelInTenLines() {
	ctx := context.Background()
	data, err := datasets.Moons(400, 0.1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := data.X(), data.Y() // (400, 2) and (400, 1)
	xNew := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{-1, 0.5, 2, 0}))

	model := layers.NewSequential(
		layers.Input(2),
		layers.Dense(10, layers.WithActivation("relu")),
		layers.Dense(1, layers.WithActivation("sigmoid")),
	)
	tr, err := trainers.New(model,
		trainers.WithOutput(io.Discard), // no progress lines in an example
		trainers.WithOptimizer(trainers.Adam(0.001)),
		trainers.WithLoss("binary_crossentropy"),
		trainers.WithMetrics("accuracy"))
	if err != nil {
		fmt.Println(err)
		return
	}
	hist, err := tr.Fit(ctx, x, y, trainers.Epochs(100), trainers.BatchSize(32), trainers.ValidationSplit(0.2))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := tr.Predict(xNew)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(model.Summary())

	acc, _ := hist.Last("val_accuracy")
	fmt.Println("val_accuracy >= 0.8:", acc >= 0.8)
	fmt.Println("predictions:", pred.Shape())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                Output Shape              Param #
	// =================================================================
	//  dense (Dense)               (None, 10)                30
	// _________________________________________________________________
	//  dense_1 (Dense)             (None, 1)                 11
	// =================================================================
	// Total params: 41
	// Trainable params: 41
	// Non-trainable params: 0
	// _________________________________________________________________
	// val_accuracy >= 0.8: true
	// predictions: (2, 1)
}

// TestREADMETenLines keeps the "A model in ten lines" snippet of README.md the
// same code as Example_modelInTenLines (the snippet leaves out the data, the error
// checks and the last printing).
func TestREADMETenLines(t *testing.T) {
	checkSnippet(t, "## A model in ten lines", "example_readme_test.go", "Example_modelInTenLines")
}

// TestREADMEFacts checks what README.md must say and keep true: where its
// ten-line snippet comes from, every built-in callback, and how to use gokeras
// from another module, with the version of go4.org/unsafe/assume-no-moving-gc
// that go.mod requires (older ones panic at start-up on Go >= 1.22).
func TestREADMEFacts(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var gcVersion string
	for _, l := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "go4.org/unsafe/assume-no-moving-gc" {
			gcVersion = f[1]
		}
	}
	if gcVersion == "" {
		t.Fatal("go.mod does not require go4.org/unsafe/assume-no-moving-gc")
	}
	text := string(readme)
	for _, want := range []string{
		"`Example_modelInTenLines` in `trainers/example_readme_test.go`",
		"ModelCheckpoint",
		"## Use it from your own module",
		"go get github.com/gokeras/gokeras@",
		"go4.org/unsafe/assume-no-moving-gc " + gcVersion,
		"-tags openblas",
		"GOKERAS_NO_DOWNLOAD=1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
