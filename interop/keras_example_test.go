package interop_test

import (
	"fmt"

	"github.com/gokeras/gokeras/interop"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// A Keras user saves np.savez("w.npz", *model.get_weights()); the same model,
// written with gokeras' layers, takes the arrays in order.
func ExampleSetWeights() {
	model := layers.NewSequential(
		layers.Input(4),
		layers.Dense(8, layers.WithActivation("relu")),
		layers.BatchNormalization(),
		layers.Dense(3, layers.WithActivation("softmax")),
	)
	if err := model.Build(); err != nil {
		fmt.Println(err)
		return
	}
	weights, err := interop.ReadNPZ("testdata/readers/keras_mlp.npz") // arr_0 ... arr_7
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := interop.SetWeights(model, weights); err != nil {
		fmt.Println(err)
		return
	}
	io, err := interop.ReadNPZ("testdata/readers/keras_mlp_io.npz")
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _ := io.Get("x").Dense(tensor.Float32)
	pred, err := trainers.Predict(model, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := pred.Data().([]float32)
	fmt.Printf("gokeras: %.4f %.4f %.4f\n", p[0], p[1], p[2])
	y := io.Get("y").Data
	fmt.Printf("keras:   %.4f %.4f %.4f\n", y[0], y[1], y[2])
	// Output:
	// gokeras: 0.1758 0.4937 0.3305
	// keras:   0.1758 0.4937 0.3305
}
