package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// The factorization-machine term of three fields of two values each: the sum of
// the dot products of every pair of fields, (1,2)·(3,4) + (1,2)·(5,6) + (3,4)·(5,6)
// = 11 + 17 + 39; with keep dims, the same per dimension. In a DeepFM the fields
// come from an Embedding of one id per field.
func ExampleFM() {
	fields := layers.NewInput("fields", layers.Shape(3, 2))
	sum := layers.FM().Apply(fields)
	perDim := layers.FM(layers.WithKeepDims(true)).Apply(fields)
	model, err := layers.NewModel([]*layers.Tensor{fields}, []*layers.Tensor{sum, perDim})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := trainers.New(model)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	x := tensor.New(tensor.WithShape(1, 3, 2), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	outs, err := tr.PredictTensors([]*tensor.Dense{x})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(outs[0].Data(), outs[1].Data())
	// Output:
	// [67] [23 44]
}

// Bags of ids padded with 0 to a length of 3, averaged: padding adds nothing and
// does not count, and a bag of padding only gives zeros. Row i of the table is set
// to (i, 10·i).
func ExampleEmbeddingBag() {
	ids := layers.NewInput("ids", layers.Shape(3), layers.Int64)
	bag := layers.EmbeddingBag(4, 2, layers.WithCombiner("mean"))
	model, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{bag.Apply(ids)})
	if err == nil {
		err = model.Build()
	}
	if err == nil {
		err = bag.Table().SetFloat64s([]float64{0, 0, 1, 10, 2, 20, 3, 30})
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]int64{
		1, 3, 0, // mean of rows 1 and 3
		2, 0, 0, // row 2
		0, 0, 0, // empty
	}))
	out, err := trainers.Predict(model, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Data())
	// Output:
	// [2 20 2 20 0 0]
}
