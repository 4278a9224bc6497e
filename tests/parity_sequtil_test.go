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

// paritySeqCase is one case of torch_sequtil/sequtil.json (see the README there).
type paritySeqCase struct {
	Name        string      `json:"name"`
	Op          string      `json:"op"`
	Epsilon     float64     `json:"epsilon"`
	Approximate string      `json:"approximate"`
	X           parityArray `json:"x"`
	Gamma       parityArray `json:"gamma"`
	Beta        parityArray `json:"beta"`
	Upstream    parityArray `json:"upstream"`
	Y           parityArray `json:"y"`
	DX          parityArray `json:"dx"`
	DGamma      parityArray `json:"dgamma"`
	DBeta       parityArray `json:"dbeta"`
}

// TestParitySeqUtil compares LayerNormalization (forward, gradients of x, gamma and
// beta), the gelu and gelu_tanh activations (forward, gradient) and the sinusoidal
// encoding with PyTorch 1.13 (float32; the encoding in float64).
func TestParitySeqUtil(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_sequtil", "sequtil.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fx struct {
		Cases []paritySeqCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fx.Cases) < 6 {
		t.Fatalf("fixture has %d cases", len(fx.Cases))
	}
	var worst parityMax
	for _, c := range fx.Cases {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			switch c.Op {
			case "layernorm":
				paritySeqLayerNorm(t, c, &worst)
			case "gelu":
				paritySeqGELU(t, c, &worst)
			case "sinusoidal":
				parityCheckArray(t, c.Name, "y", c.Y)
				got := layers.SinusoidalTable(c.Y.Shape[0], c.Y.Shape[1])
				d := parityCompare(t, c.Name, "y", got, c.Y.Data)
				t.Logf("y: largest scaled difference %.3g", d)
				worst.add(d, c.Name+" y")
			default:
				t.Fatalf("unknown op %q", c.Op)
			}
		})
	}
	worst.report(t, "torch_sequtil")
}

// paritySeqGraph returns a float32 training graph with an input bound to c.X.
func paritySeqGraph(t *testing.T, c paritySeqCase) (*graph.Graph, *G.Node) {
	t.Helper()
	parityCheckArray(t, c.Name, "x", c.X)
	g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
	if err != nil {
		t.Fatal(err)
	}
	x, xt, err := g.Input("x", c.X.Shape[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	parityFill(t, c.Name, "x", xt, c.X.Data)
	return g, x
}

func paritySeqLayerNorm(t *testing.T, c paritySeqCase, worst *parityMax) {
	l := layers.LayerNormalization(layers.WithEpsilon(c.Epsilon))
	in := layers.NewInput("x", layers.Shape(c.X.Shape[1:]...))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{l.Apply(in)})
	if err == nil {
		err = m.Build()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Gamma().SetFloat64s(c.Gamma.Data); err != nil {
		t.Fatal(err)
	}
	if err := l.Beta().SetFloat64s(c.Beta.Data); err != nil {
		t.Fatal(err)
	}
	g, x := paritySeqGraph(t, c)
	y, err := l.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	yv, grads, err := parityBackward(g, x, y, c.Upstream.Data, []*graph.Param{l.Gamma(), l.Beta()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name      string
		got, want []float64
	}{{"y", yv, c.Y.Data}, {"dx", grads[0], c.DX.Data}, {"dgamma", grads[1], c.DGamma.Data}, {"dbeta", grads[2], c.DBeta.Data}} {
		d := parityCompare(t, c.Name, p.name, p.got, p.want)
		t.Logf("%s: largest scaled difference %.3g", p.name, d)
		worst.add(d, fmt.Sprintf("%s %s", c.Name, p.name))
	}
}

func paritySeqGELU(t *testing.T, c paritySeqCase, worst *parityMax) {
	g, x := paritySeqGraph(t, c)
	y, err := graph.GELU(x, c.Approximate == "tanh")
	if err != nil {
		t.Fatal(err)
	}
	yv, grads, err := parityBackward(g, x, y, c.Upstream.Data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name      string
		got, want []float64
	}{{"y", yv, c.Y.Data}, {"dx", grads[0], c.DX.Data}} {
		d := parityCompare(t, c.Name, p.name, p.got, p.want)
		t.Logf("%s: largest scaled difference %.3g", p.name, d)
		worst.add(d, c.Name+" "+p.name)
	}
}
