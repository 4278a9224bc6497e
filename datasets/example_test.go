package datasets_test

import (
	"fmt"
	"math/rand"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

// One epoch over 100 examples at batch size 32 keeps the last partial batch.
func ExampleBatches() {
	batches, err := datasets.Batches(100, 32, true, rand.New(rand.NewSource(1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range batches {
		fmt.Print(len(b), " ")
	}
	fmt.Println()
	// Output: 32 32 32 4
}

// Build a data set from rows, split off the last third for validation and
// gather it into float32 tensors.
func ExampleFromRows() {
	ds, err := datasets.FromRows(
		[][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}},
		[][]float64{{0}, {1}, {1}, {0}, {0}, {1}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, val, err := datasets.SplitTail(ds, 1.0/3)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(val.Len(), 2), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(val.Len(), 1), tensor.Of(tensor.Float32))
	if err := val.Gather([]int{0, 1}, x, y); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), val.Len(), x.Float32s(), y.Float32s())
	_, err = datasets.FromRows([][]float64{{1, 2}, {3}}, [][]float64{{0}, {1}})
	fmt.Println(err)
	// Output:
	// 4 2 [2 0 2 1] [0 1]
	// datasets.FromRows: x row 1 has 1 values, want 2 (the length of row 0)
}
