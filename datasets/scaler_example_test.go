package datasets_test

import (
	"fmt"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

// Fit a StandardScaler on a 3x2 training matrix (the second feature is
// constant and gets scale 1) and apply the training statistics to new data.
func ExampleStandardScaler() {
	train := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{
		0, 5,
		2, 5,
		4, 5,
	}))
	var s datasets.StandardScaler
	scaled, err := s.FitTransform(train)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.4g scale %.4g\n", s.Mean, s.Scale)
	fmt.Printf("train %.4f\n", scaled.Float64s())

	test := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{6, 7}))
	out, err := s.Transform(test)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test %.4f\n", out.Float64s())

	_, err = s.Transform(tensor.New(tensor.WithShape(1, 3), tensor.Of(tensor.Float64)))
	fmt.Println(err)
	// Output:
	// mean [2 5] scale [1.633 1]
	// train [-1.2247 0.0000 0.0000 0.0000 1.2247 0.0000]
	// test [2.4495 2.0000]
	// datasets.StandardScaler.Transform: x has 3 features (last axis of shape (1, 3)), the scaler was fitted on 2
}
