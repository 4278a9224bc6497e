package layers_test

import (
	"bytes"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
)

// Raw text becomes padded ids inside the model; the tokenizer travels in the
// model file, so the loaded model takes raw text too.
func ExampleTextVectorization() {
	words, err := text.FitWords([]string{"the cat sat", "the dog sat", "the cat ran"}, text.WordsOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	in := layers.NewInput("text", layers.Shape(1), layers.String)
	ids := layers.TextVectorization(words, layers.WithOutputSequenceLength(4)).Apply(in)
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{ids})
	if err == nil {
		err = model.Build()
	}
	var buf bytes.Buffer
	if err == nil {
		err = model.SaveTo(&buf)
	}
	var loaded layers.Model
	if err == nil {
		loaded, err = layers.LoadFrom(&buf)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := trainers.Predict(loaded, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]string{"The cat sat!", "a dog"})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Shape(), out.Data())
	// Output:
	// (2, 4) [2 3 4 0 1 5 0 0]
}
