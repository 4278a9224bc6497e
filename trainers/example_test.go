package trainers_test

import (
	"context"
	"fmt"
	"io"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// A small dense network on two moons: the shape of every gokeras program.
func Example() {
	data, err := datasets.Moons(400, 0.1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test, err := datasets.TrainTestSplit(data, 0.25, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := layers.NewSequential(
		layers.Input(2),
		layers.Dense(16, layers.WithActivation("tanh")),
		layers.Dense(1, layers.WithActivation("sigmoid")),
	)
	tr, err := trainers.New(model,
		trainers.WithOptimizer(trainers.Adam(0.01)),
		trainers.WithLoss("binary_crossentropy"),
		trainers.WithMetrics("accuracy"),
		trainers.WithOutput(io.Discard))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := tr.FitDataset(context.Background(), train, trainers.Epochs(60), trainers.BatchSize(32)); err != nil {
		fmt.Println(err)
		return
	}
	logs, err := tr.EvaluateDataset(context.Background(), test)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("held-out accuracy >= 0.95: %v\n", logs["accuracy"] >= 0.95)
	// Output:
	// held-out accuracy >= 0.95: true
}
