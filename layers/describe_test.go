package layers_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSummaryDoesNotBuild: Summary and ToDot of an unbuilt model show its shapes
// and parameter counts and leave it unbuilt, so a later Build decides the seed and
// dtype; the table is the one of the built model.
func TestSummaryDoesNotBuild(t *testing.T) {
	seq := func() layers.Model {
		return layers.NewSequential(layers.Input(3), layers.Dense(4, layers.WithActivation("relu")), layers.Dense(2))
	}
	fun := func() layers.Model {
		x := layers.NewInput("x", layers.Shape(3))
		ids := layers.NewInput("ids", layers.Shape(2), layers.Int64)
		e := layers.Flatten().Apply(layers.Embedding(5, 2).Apply(ids))
		h := layers.Concatenate(-1).Apply(x, e)
		y := layers.Dense(2, layers.WithName("out")).Apply(h)
		m, err := layers.NewModel([]*layers.Tensor{x, ids}, []*layers.Tensor{y})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for name, mk := range map[string]func() layers.Model{"sequential": seq, "functional": fun} {
		t.Run(name, func(t *testing.T) {
			m := mk()
			unbuilt := m.Summary()
			dot := m.ToDot()
			if strings.Contains(dot, "not_built") || !strings.Contains(dot, "output: (None, 2)") {
				t.Errorf("ToDot of the unbuilt model:\n%s", dot)
			}
			if m.Built() {
				t.Fatal("Summary or ToDot built the model")
			}
			if err := m.Build(layers.WithSeed(7), layers.WithDType(tensor.Float64)); err != nil {
				t.Fatal(err)
			}
			if m.DType() != tensor.Float64 {
				t.Errorf("dtype %v after Build(WithDType(Float64)) that followed Summary", m.DType())
			}
			want := mk()
			if err := want.Build(layers.WithSeed(7), layers.WithDType(tensor.Float64)); err != nil {
				t.Fatal(err)
			}
			for i, p := range m.Params() {
				a, b := p.Float64s(), want.Params()[i].Float64s()
				for j := range a {
					if a[j] != b[j] {
						t.Fatalf("weight %s differs from a model built with seed 7 alone", p.Name)
					}
				}
			}
			if built := m.Summary(); built != unbuilt {
				t.Errorf("summary before Build:\n%s\nafter:\n%s", unbuilt, built)
			}
		})
	}
}

// TestSummaryOfModelThatDoesNotBuild: the error of the layers is shown and the
// model stays unbuilt.
func TestSummaryOfModelThatDoesNotBuild(t *testing.T) {
	m := layers.NewSequential(layers.Input(3), layers.Reshape([]int{4}))
	s := m.Summary()
	if !strings.Contains(s, "not built") || m.Built() {
		t.Errorf("summary %q, built %v", s, m.Built())
	}
}

// TestSummaryOfUncopyableModel: a model with a layer of a class Load does not know
// is listed without shapes, says why, and is not built.
func TestSummaryOfUncopyableModel(t *testing.T) {
	m := layers.NewSequential(layers.Input(3), layers.Custom(&doubler{}), layers.Dense(2))
	s := m.Summary()
	if m.Built() {
		t.Fatal("Summary built the model")
	}
	for _, want := range []string{"doubler (Doubler)", "?", "once the model is built"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	if s := m.Summary(); !strings.Contains(s, "(None, 3)") || strings.Contains(s, "?") {
		t.Errorf("summary of the built model:\n%s", s)
	}
}

// doubler is a layer of a class Load does not know (no Config).
type doubler struct{ layers.Base }

func (d *doubler) Type() string { return "Doubler" }

func (d *doubler) Build(_ layers.BuildContext, in []int) ([]int, error) {
	if d.Name() == "" {
		d.SetName("doubler")
	}
	return in, nil
}

func (d *doubler) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	return G.Add(x, x)
}
