// Command v1 writes the format-version-1 fixture that layers/compat_test.go loads:
// a Sequential saved by gokeras before functional models existed (commit d955303),
// and the predictions that release made on fixed inputs. Run it from a checkout of
// that commit (it lives under testdata, so `go build ./...` ignores it):
//
//	go run ./layers/testdata/v1 layers/testdata
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

func main() {
	dir := os.Args[1]
	model := layers.NewSequential(
		layers.Input(6, 6, 2),
		layers.Conv2D(4, 3, layers.WithPadding("same"), layers.WithActivation("relu"),
			layers.WithKernelRegularizer(graph.L2(1e-3))),
		layers.BatchNormalization(),
		layers.Residual([]layers.Layer{
			layers.Conv2D(4, 3, layers.WithPadding("same"), layers.WithActivation("relu")),
			layers.Conv2D(4, 3, layers.WithPadding("same")),
		}, nil, layers.WithActivation("relu")),
		layers.MaxPooling2D(2),
		layers.Flatten(),
		layers.Dropout(0.25),
		layers.Dense(8, layers.WithActivation("tanh")),
		layers.Dense(3, layers.WithActivation("softmax")),
	)
	if err := model.Build(layers.WithSeed(7)); err != nil {
		panic(err)
	}
	// Move the batch norm statistics off their initial values so that loading them
	// is checked too.
	for _, p := range model.Params() {
		if !p.Trainable {
			v := p.Float64s()
			for i := range v {
				v[i] += 0.1 * float64(i+1)
			}
			if err := p.SetFloat64s(v); err != nil {
				panic(err)
			}
		}
	}
	if err := model.Attach("note", map[string]string{"saved_by": "d955303"}); err != nil {
		panic(err)
	}
	if err := model.Save(filepath.Join(dir, "v1_sequential.safetensors")); err != nil {
		panic(err)
	}
	x := make([]float32, 2*6*6*2)
	for i := range x {
		x[i] = float32((i*37)%23)/11 - 1
	}
	xt := tensor.New(tensor.WithShape(2, 6, 6, 2), tensor.WithBacking(x))
	tr, err := trainers.New(model, trainers.WithLoss("categorical_crossentropy"))
	if err != nil {
		panic(err)
	}
	y, err := tr.Predict(xt)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(map[string]interface{}{"x": x, "y": y.Data()})
	if err := os.WriteFile(filepath.Join(dir, "v1_sequential.json"), append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
	fmt.Println(model.Summary())
}
