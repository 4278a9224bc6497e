package layers_test

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
)

func ExampleSequential_Summary() {
	model := layers.NewSequential(
		layers.Input(2),
		layers.Dense(10, layers.WithActivation("relu")),
		layers.Dense(1, layers.WithActivation("sigmoid")),
	)
	fmt.Print(model.Summary())
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
}
