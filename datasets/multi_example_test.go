package datasets_test

import (
	"fmt"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

// A data set with an integer "user_id" input (for an Embedding layer), a
// float "features" input and a "click" target, gathered into the dtypes a
// model wants: int for the ids, float32 for the rest.
func ExampleNewNamedTensors() {
	userID := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{17, 3, 42, 3}))
	features := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0.5, 1, 0, 2, 1.5, 0, 1, 1}))
	click := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 0, 0, 1}))
	ds, err := datasets.NewNamedTensors(
		map[string]*tensor.Dense{"user_id": userID, "features": features},
		map[string]*tensor.Dense{"click": click})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range ds.Inputs() {
		fmt.Printf("input %q shape %v dtype %v\n", s.Name, s.Shape, s.DType)
	}
	for _, s := range ds.Targets() {
		fmt.Printf("target %q shape %v dtype %v\n", s.Name, s.Shape, s.DType)
	}

	idx := []int{2, 0}
	x0 := tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32)) // features
	x1 := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Int))        // user_id
	y0 := tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float32)) // click
	if err := ds.GatherMulti(idx, []*tensor.Dense{x0, x1}, []*tensor.Dense{y0}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x0.Float32s(), x1.Ints(), y0.Float32s())

	// A float source cannot go into an integer destination.
	err = ds.GatherMulti(idx, []*tensor.Dense{x1, x1}, []*tensor.Dense{y0})
	fmt.Println(err)
	// Output:
	// input "features" shape [2] dtype float32
	// input "user_id" shape [1] dtype int64
	// target "click" shape [1] dtype float32
	// [1.5 0 0.5 1] [42 17] [0 1]
	// datasets.Tensors.GatherMulti: destination for input "features" has dtype int, want float32 or float64 for a float32 source
}
