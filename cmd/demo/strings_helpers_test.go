package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// colorVocab is the vocabulary of the "color" input of stringModel.
var colorVocab = []string{"red", "green", "blue"}

// stringModel returns a built model of a float input "numeric" (2) and a String
// input "color" (1), in that order (as demo csv saves them): color ->
// StringLookup(colorVocab, oov out-of-vocabulary ids) -> CategoryEncoding,
// concatenated after the numbers -> "species" (Dense(3), softmax). Its weights
// are set so that red, green and blue give classes 0, 1 and 2 whatever the
// numbers, and an unknown color leaves the class to the numbers: the first number
// decides between class 0 (negative) and class 2.
func stringModel(t *testing.T, oov int) *layers.Functional {
	t.Helper()
	num := layers.NewInput("numeric", layers.Shape(2))
	color := layers.NewInput("color", layers.Shape(1), layers.String)
	lookup := layers.StringLookup(layers.WithVocabulary(colorVocab), layers.WithNumOOVIndices(oov), layers.WithName("color_lookup"))
	onehot := layers.CategoryEncoding(lookup.VocabularySize(), layers.WithName("color_onehot")).Apply(lookup.Apply(color))
	h := layers.Concatenate(-1).Apply(num, onehot)
	out := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("species")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{num, color}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		d, ok := p.Value.Data().([]float32)
		if !ok {
			t.Fatalf("param %s is %v", p.Name, p.Value.Dtype())
		}
		for i := range d {
			d[i] = 0
		}
		if !strings.HasSuffix(p.Name, "kernel") {
			continue
		}
		// Rows: the two numbers, then one per id (oov unknown ids, then the colors).
		d[0*3+0], d[0*3+2] = -0.5, 0.5
		d[1*3+1] = 0.1
		for c := range colorVocab {
			d[(2+oov+c)*3+c] = 5
		}
	}
	return m
}

// stringWant is what trainers.PredictNamed gives for the model saved at path:
// the outputs of "species" (3 per row) and their classes.
func stringWant(t *testing.T, path string, numeric []float64, colors []string) ([]float32, []int) {
	t.Helper()
	m, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	n := len(colors)
	out, err := trainers.PredictNamed(m, map[string]*tensor.Dense{
		"numeric": tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(append([]float64(nil), numeric...))),
		"color":   tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(append([]string(nil), colors...))),
	})
	if err != nil {
		t.Fatal(err)
	}
	y := out["species"].Data().([]float32)
	classes := make([]int, n)
	for i := range classes {
		classes[i] = argmax32(y[i*3 : i*3+3])
	}
	return y, classes
}

// stringRowsBody is the "rows" form of a request of stringModel.
func stringRowsBody(numeric []float64, colors []string) string {
	rows := make([][]interface{}, len(colors))
	for i, c := range colors {
		rows[i] = []interface{}{numeric[2*i], numeric[2*i+1], c}
	}
	b, _ := json.Marshal(map[string]interface{}{"rows": rows})
	return string(b)
}

// stringNamedBody is the named form of a request of stringModel.
func stringNamedBody(numeric []float64, colors []string) string {
	nums, cols := make([][]float64, len(colors)), make([][]string, len(colors))
	for i, c := range colors {
		nums[i], cols[i] = numeric[2*i:2*i+2], []string{c}
	}
	b, _ := json.Marshal(map[string]interface{}{"inputs": map[string]interface{}{"numeric": nums, "color": cols}})
	return string(b)
}
