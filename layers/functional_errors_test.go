package layers_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// TestFunctionalErrors: NewModel (and, for shapes, Build) reports each malformed
// graph with an error naming the layer or input and the shapes involved.
func TestFunctionalErrors(t *testing.T) {
	tests := []struct {
		name string
		make func() (ins, outs []*layers.Tensor)
		want []string
	}{
		{"no inputs", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return nil, fnTensors(layers.Dense(2).Apply(a))
		}, []string{"no inputs"}},
		{"no outputs", func() ([]*layers.Tensor, []*layers.Tensor) {
			return fnTensors(fnInput("a", 3)), nil
		}, []string{"no outputs"}},
		{"nil output", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return fnTensors(a), fnTensors(layers.Dense(2).Apply(a), nil)
		}, []string{"output 1 is nil"}},
		{"nil input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return fnTensors(a, nil), fnTensors(layers.Dense(2).Apply(a))
		}, []string{"input 1 is nil"}},
		{"output not reachable from the inputs", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 3)
			y := layers.Dense(2, layers.WithName("proj")).Apply(layers.Add(layers.WithName("sum")).Apply(a, b))
			return fnTensors(a), fnTensors(y)
		}, []string{`input "b" (shape (3))`, "not among the model's inputs", "sum"}},
		{"unused input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 4)
			return fnTensors(a, b), fnTensors(layers.Dense(2).Apply(a))
		}, []string{`input "b" is not connected to any output`}},
		{"input given twice", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return fnTensors(a, a), fnTensors(layers.Dense(2).Apply(a))
		}, []string{`input "a" is given twice`}},
		{"a layer output given as input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			h := layers.Dense(4, layers.WithName("hidden")).Apply(a)
			return fnTensors(h), fnTensors(layers.Dense(2).Apply(h))
		}, []string{"input 0", "hidden", "is not an Input", "NewInput"}},
		{"input without shape", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := layers.NewInput("a")
			return fnTensors(a), fnTensors(layers.Dense(2).Apply(a))
		}, []string{`input "a"`, "no shape"}},
		{"input with a bad dimension", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3, 0)
			return fnTensors(a), fnTensors(layers.Dense(2).Apply(a))
		}, []string{`input "a"`, "[3 0]", "<= 0"}},
		{"duplicate layer names", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			h := layers.Dense(4, layers.WithName("twin")).Apply(a)
			return fnTensors(a), fnTensors(layers.Activation("relu", layers.WithName("twin")).Apply(h))
		}, []string{`two layers named "twin"`, "Dense", "Activation"}},
		{"a layer named like an input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("x", 3)
			return fnTensors(a), fnTensors(layers.Dense(2, layers.WithName("x")).Apply(a))
		}, []string{`two layers named "x"`, "InputLayer", "Dense"}},
		{"a layer of one input applied to two tensors", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 3)
			return fnTensors(a, b), layers.Apply(layers.Dense(2, layers.WithName("proj")), a, b)
		}, []string{"proj (Dense)", "takes one input, applied to 2"}},
		{"a nil tensor applied", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return fnTensors(a), fnTensors(layers.Add(layers.WithName("sum")).Apply(a, nil))
		}, []string{"sum (Add)", "input 1 is a nil tensor"}},
		{"an integer input fed to Dense", func() ([]*layers.Tensor, []*layers.Tensor) {
			ids := layers.NewInput("ids", layers.Shape(3), layers.Int64)
			return fnTensors(ids), fnTensors(layers.Dense(2, layers.WithName("proj")).Apply(ids))
		}, []string{"proj (Dense)", "(3) int64", "takes a float input", "Embedding"}},
		{"a float input fed to Embedding", func() ([]*layers.Tensor, []*layers.Tensor) {
			x := fnInput("x", 3)
			return fnTensors(x), fnTensors(layers.Embedding(5, 2, layers.WithName("emb")).Apply(x))
		}, []string{"emb", "(3) float32", "integer ids"}},
		{"mismatched merge shapes", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 4)
			return fnTensors(a, b), fnTensors(layers.Add(layers.WithName("sum")).Apply(a, b))
		}, []string{"sum (Add)", "equal shapes", "(3) and (4)"}},
		{"mismatched multiply shapes after layers", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			p := layers.Dense(2).Apply(a)
			q := layers.Dense(5).Apply(a)
			return fnTensors(a), fnTensors(layers.Multiply(layers.WithName("gate")).Apply(p, q))
		}, []string{"gate (Multiply)", "(2) and (5)"}},
		{"subtract of three", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b, c := fnInput("a", 2), fnInput("b", 2), fnInput("c", 2)
			return fnTensors(a, b, c), fnTensors(layers.Subtract(layers.WithName("diff")).Apply(a, b, c))
		}, []string{"diff (Subtract)", "exactly 2 inputs, got 3", "(2) and (2) and (2)"}},
		{"concatenate on the batch axis", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 3)
			return fnTensors(a, b), fnTensors(layers.Concatenate(0, layers.WithName("cat")).Apply(a, b))
		}, []string{"cat (Concatenate)", "axis 0", "batch axis", "(3) float32, (3) float32"}},
		{"concatenate of different ranks", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 2, 3)
			return fnTensors(a, b), fnTensors(layers.Concatenate(-1, layers.WithName("cat")).Apply(a, b))
		}, []string{"cat (Concatenate)", "equal ranks", "(3) and (2, 3)"}},
		{"concatenate disagreeing off its axis", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 2, 3), fnInput("b", 4, 3)
			return fnTensors(a, b), fnTensors(layers.Concatenate(-1, layers.WithName("cat")).Apply(a, b))
		}, []string{"cat (Concatenate)", "every axis but -1", "(2, 3) and (4, 3)"}},
		{"dot of mismatched sizes", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 4)
			return fnTensors(a, b), fnTensors(layers.Dot(1, layers.WithName("sim")).Apply(a, b))
		}, []string{"sim (Dot)", "sizes 3 and 4 differ", "(3) and (4)"}},
		{"dot of rank 4", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 2, 2, 2), fnInput("b", 2, 2, 2)
			return fnTensors(a, b), fnTensors(layers.Dot(1, layers.WithName("sim")).Apply(a, b))
		}, []string{"sim (Dot)", "rank 2 or 3", "(2, 2, 2) and (2, 2, 2)"}},
		{"a shared layer applied to another shape", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := fnInput("a", 3), fnInput("b", 4)
			d := layers.Dense(2, layers.WithName("shared"))
			return fnTensors(a, b), fnTensors(layers.Concatenate(-1).Apply(d.Apply(a), d.Apply(b)))
		}, []string{"shared", "built for inputs [(3) float32]", "now applied to [(4) float32]"}},
		{"a model applied to the wrong shape", func() ([]*layers.Tensor, []*layers.Tensor) {
			x := fnInput("x", 4)
			inner, err := layers.NewModel(fnTensors(x), fnTensors(layers.Dense(2).Apply(x)), layers.ModelName("inner"))
			if err != nil {
				panic(err)
			}
			a := fnInput("a", 5)
			return fnTensors(a), fnTensors(inner.Apply(a))
		}, []string{`model "inner"`, `input "x"`, "(4)", "(5)"}},
		{"a model applied to too many tensors", func() ([]*layers.Tensor, []*layers.Tensor) {
			x := fnInput("x", 4)
			inner, err := layers.NewModel(fnTensors(x), fnTensors(layers.Dense(2).Apply(x)), layers.ModelName("inner"))
			if err != nil {
				panic(err)
			}
			a, b := fnInput("a", 4), fnInput("b", 4)
			return fnTensors(a, b), fnTensors(inner.Apply(a, b))
		}, []string{`model "inner" takes 1 inputs`, `"x" (4)`, "applied to 2"}},
		{"a layer with a bad setting", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := fnInput("a", 3)
			return fnTensors(a), fnTensors(layers.Dense(0, layers.WithName("empty")).Apply(a))
		}, []string{"empty (Dense)", "(3) float32", "units 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ins, outs := tc.make()
			m, err := layers.NewModel(ins, outs)
			if err == nil {
				err = m.Build()
			}
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
