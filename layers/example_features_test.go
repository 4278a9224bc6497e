package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// Raw categories hashed into 8 bins inside the model: no vocabulary to learn, and
// an unseen value gets a bin too. The bins are FNV-1a of the value's bytes modulo
// 8, the same on every machine (Keras' FarmHash bins differ); an integer input is
// hashed by its decimal text.
func ExampleHashing() {
	h := layers.Hashing(8)
	in := layers.NewInput("city", layers.Shape(2), layers.String)
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{h.Apply(in)})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]string{"Oslo", "Tokyo", "Rome", "Oslo"}))
	out, err := trainers.Predict(model, rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Shape(), out.Dtype(), out.Data())
	fmt.Println("Seoul:", h.Bin("Seoul"))
	// Output:
	// (2, 2) int64 [2 1 4 2]
	// Seoul: 7
}

// Ages bucketed at boundaries learned from data: Adapt takes the quartiles, the
// model keeps them in its file, and bucket i holds boundaries[i-1] <= x <
// boundaries[i].
func ExampleDiscretization() {
	ages := tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]float64{23, 35, 41, 19, 67, 52, 30, 45}))
	d := layers.Discretization(layers.WithNumBins(4))
	if err := d.Adapt(ages); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.BinBoundaries(), d.NumBins())

	in := layers.NewInput("age", layers.Shape(1))
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{d.Apply(in)})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := trainers.Predict(model, tensor.New(tensor.WithShape(5, 1), tensor.WithBacking([]float32{18, 30, 40.5, 41, 90})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Data())
	// Output:
	// [30 41 52] 4
	// [0 1 1 2 3]
}

// A crossed feature for the wide part of a Wide&Deep model: each (city, age
// bucket) pair gets one of 16 bins. The bucket ids come from a Discretization and
// are crossed by their decimal text.
func ExampleHashedCrossing() {
	city := layers.NewInput("city", layers.Shape(1), layers.String)
	age := layers.NewInput("age", layers.Shape(1))
	bucket := layers.Discretization(layers.WithBinBoundaries([]float64{30, 50})).Apply(age)
	cross := layers.HashedCrossing(16)
	model, err := layers.NewModel([]*layers.Tensor{city, age}, []*layers.Tensor{cross.Apply(city, bucket)})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := trainers.PredictNamed(model, map[string]*tensor.Dense{
		"city": tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]string{"Oslo", "Oslo", "Rome"})),
		"age":  tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{25, 61, 25})),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range out { // the one output
		fmt.Println(o.Data())
	}
	fmt.Println(cross.Bin("Oslo", "0"), cross.Bin("Oslo", "2"), cross.Bin("Rome", "0"))
	// Output:
	// [13 7 11]
	// 13 7 11
}
