package onnx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// doubler is a custom layer: y = 2x.
type doubler struct{ layers.Base }

func (d *doubler) Type() string { return "Doubler" }
func (d *doubler) Build(_ layers.BuildContext, in []int) ([]int, error) {
	return append([]int(nil), in...), nil
}
func (d *doubler) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) { return G.Add(x, x) }

func TestCustomLayerConverter(t *testing.T) {
	m := seqModel(t, []int{3}, layers.Dense(4), &doubler{}, layers.Dense(2))
	err := Export(m, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "(Doubler) cannot be exported: no ONNX converter") {
		t.Fatalf("error %v", err)
	}
	double := func(c *Context) ([]string, error) {
		x := c.Inputs()[0]
		return []string{c.Op("Add", []string{x, x})}, nil
	}
	x := randInput(tensor.Float32, 2, 3)
	t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5, WithConverter("Doubler", double)))
	bad := func(c *Context) ([]string, error) { return nil, nil }
	err = Export(m, &bytes.Buffer{}, WithConverter("Doubler", bad))
	if err == nil || !strings.Contains(err.Error(), "converter gave 0 values for 1 outputs") {
		t.Fatalf("error %v", err)
	}
}

// TestGraphInputAsOutput: a model output that is an input, and two outputs
// holding one value, are written with Identity nodes.
func TestGraphInputAsOutput(t *testing.T) {
	a := layers.NewInput("a", layers.Shape(2))
	h := layers.Dense(2).Apply(a)
	m := buildModel(t, []*layers.Tensor{a}, []*layers.Tensor{layers.Dropout(0.1).Apply(a), h, layers.Activation("linear").Apply(h)})
	t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{"a": randInput(tensor.Float32, 2, 2)}, 1e-6))
}
