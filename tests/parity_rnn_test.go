package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityRNNCase is one case of torch_rnn/rnn.json (see the README there).
type parityRNNCase struct {
	Name            string        `json:"name"`
	Kind            string        `json:"kind"`
	Units           int           `json:"units"`
	Bidirectional   bool          `json:"bidirectional"`
	MergeMode       string        `json:"merge_mode"`
	ReturnSequences bool          `json:"return_sequences"`
	X               parityArray   `json:"x"`
	Upstream        parityArray   `json:"upstream"`
	Y               parityArray   `json:"y"`
	DX              parityArray   `json:"dx"`
	Weights         []parityArray `json:"weights"`
	DWeights        []parityArray `json:"dweights"`
}

// TestParityRNN compares SimpleRNN (tanh), LSTM, GRU (reset_after) and
// Bidirectional with PyTorch 1.13's nn.RNN, nn.LSTM, nn.GRU (float32): the output
// and the gradients of sum(y ⊙ upstream) with respect to x and every weight.
func TestParityRNN(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_rnn", "rnn.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fx struct {
		Cases []parityRNNCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fx.Cases) < 8 {
		t.Fatalf("fixture has %d cases", len(fx.Cases))
	}
	var worst parityMax
	for _, c := range fx.Cases {
		c := c
		t.Run(c.Name, func(t *testing.T) { parityRNN(t, c, &worst) })
	}
	worst.report(t, "torch_rnn")
}

func parityRNN(t *testing.T, c parityRNNCase, worst *parityMax) {
	parityCheckArray(t, c.Name, "x", c.X)
	opts := []layers.Option{layers.WithReturnSequences(c.ReturnSequences)}
	var rnn *layers.RNNLayer
	switch c.Kind {
	case "SimpleRNN":
		rnn = layers.SimpleRNN(c.Units, opts...)
	case "LSTM":
		rnn = layers.LSTM(c.Units, opts...)
	case "GRU":
		rnn = layers.GRU(c.Units, opts...)
	default:
		t.Fatalf("unknown kind %q", c.Kind)
	}
	var l layers.MultiLayer = rnn
	if c.Bidirectional {
		l = layers.Bidirectional(rnn, layers.WithMergeMode(c.MergeMode))
	}
	in := layers.NewInput("x", layers.Shape(c.X.Shape[1:]...))
	m, err := layers.NewModel([]*layers.Tensor{in}, layers.Apply(l, in))
	if err == nil {
		err = m.Build()
	}
	if err != nil {
		t.Fatal(err)
	}
	params := l.Params()
	if len(params) != len(c.Weights) {
		t.Fatalf("layer has %d weights, fixture %d", len(params), len(c.Weights))
	}
	for i, p := range params {
		if err := p.SetFloat64s(c.Weights[i].Data); err != nil {
			t.Fatalf("weight %s: %v", p.Name, err)
		}
	}
	g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
	if err != nil {
		t.Fatal(err)
	}
	x, xt, err := g.Input("x", c.X.Shape[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	parityFill(t, c.Name, "x", xt, c.X.Data)
	ys, err := l.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	yv, grads, err := parityBackward(g, x, ys[0], c.Upstream.Data, params)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want []float64) {
		d := parityCompare(t, c.Name, name, got, want)
		t.Logf("%s: largest scaled difference %.3g", name, d)
		worst.add(d, c.Name+" "+name)
	}
	check("y", yv, c.Y.Data)
	check("dx", grads[0], c.DX.Data)
	for i, p := range params {
		check(fmt.Sprintf("d%s", p.Name), grads[i+1], c.DWeights[i].Data)
	}
}
