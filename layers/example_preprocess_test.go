package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// A model that standardizes its raw input itself: Adapt learns the statistics, the
// model file keeps them, and predictions take raw rows.
func ExampleNormalization() {
	raw := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{
		150, 1.2,
		170, 1.8,
		160, 1.4,
		180, 2.0,
	}))
	norm := layers.Normalization()
	if err := norm.Adapt(raw); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.1f, variance %.2f\n", norm.Mean(), norm.Variance())

	in := layers.NewInput("measurements", layers.Shape(2))
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{norm.Apply(in)})
	if err == nil {
		err = model.Build() // nothing to train: Build makes the weights from the adapted statistics
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := trainers.Predict(model, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{180, 1.2})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("standardized %.3f\n", out.Data())
	// Output:
	// mean [165.0 1.6], variance [125.00 0.10]
	// standardized [1.342 -1.265]
}

// Raw categories become ids inside the model: the vocabulary, most frequent
// first, follows the out-of-vocabulary id 0.
func ExampleStringLookup() {
	colors := tensor.New(tensor.WithShape(5, 1), tensor.WithBacking([]string{"red", "blue", "red", "green", "red"}))
	lookup := layers.StringLookup()
	if err := lookup.Adapt(colors); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(lookup.Vocabulary(), lookup.VocabularySize())

	in := layers.NewInput("color", layers.Shape(1), layers.String)
	onehot := layers.CategoryEncoding(lookup.VocabularySize()).Apply(lookup.Apply(in))
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{onehot})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := trainers.Predict(model, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]string{"green", "mauve"})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Data())
	// Output:
	// [red blue green] 4
	// [0 0 0 1 1 0 0 0]
}
