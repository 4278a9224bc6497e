package graph

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// runOne builds f over a bound input and runs the graph, returning the output.
func runOne(t *testing.T, x *tensor.Dense, f func(g *Graph, x *G.Node) (*G.Node, error)) (*tensor.Dense, error) {
	t.Helper()
	g, err := New(Infer, tensor.Float64, x.Shape()[0])
	if err != nil {
		t.Fatal(err)
	}
	xn, err := g.bind("x", x)
	if err != nil {
		t.Fatal(err)
	}
	y, err := f(g, xn)
	if err != nil {
		return nil, err
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		return nil, err
	}
	return e.Dense(y), nil
}

func TestStandardizeRejectsBadStatistics(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	for _, tc := range []struct {
		name     string
		mean, vr []float64
		want     string
	}{
		{"zero variance", []float64{0, 0}, []float64{1, 0}, "feature 1 has mean 0 and variance 0"},
		{"negative variance", []float64{0, 0}, []float64{-1, 1}, "feature 0"},
		{"infinite mean", []float64{0, math.Inf(1)}, []float64{1, 1}, "feature 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runOne(t, x, func(g *Graph, xn *G.Node) (*G.Node, error) {
				m, err := g.bind("mean", tensor.New(tensor.WithShape(2), tensor.WithBacking(tc.mean)))
				if err != nil {
					return nil, err
				}
				v, err := g.bind("variance", tensor.New(tensor.WithShape(2), tensor.WithBacking(tc.vr)))
				if err != nil {
					return nil, err
				}
				return Standardize(xn, m, v, false)
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestCategoryEncodeOutOfRange(t *testing.T) {
	ids := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int64{1, 0, 2, 5}))
	_, err := runOne(t, ids, func(g *Graph, xn *G.Node) (*G.Node, error) { return CategoryEncode(xn, 4, CountMode, tensor.Float32) })
	var ie *IndexError
	if !errors.As(err, &ie) || ie.Row != 1 || ie.Pos != 1 || ie.Value != 5 || ie.Limit != 4 {
		t.Fatalf("got %v, want an IndexError for id 5 at example 1 position 1", err)
	}
	y, err := runOne(t, tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{1, 1, 3, 0, 2, 0})),
		func(g *Graph, xn *G.Node) (*G.Node, error) { return CategoryEncode(xn, 4, CountMode, tensor.Float64) })
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 2, 0, 1, 2, 0, 1, 0}
	got := y.Data().([]float64)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("counts %v, want %v", got, want)
		}
	}
}

func TestLookupWithoutOOVFails(t *testing.T) {
	tab, err := NewLookupTable("color", []string{"red"}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]string{"red", "mauve"}))
	_, err = runOne(t, x, func(g *Graph, xn *G.Node) (*G.Node, error) { return Lookup(xn, tab) })
	var le *LookupError
	if !errors.As(err, &le) || le.Value != "mauve" || le.Row != 1 {
		t.Fatalf("got %v, want a LookupError for \"mauve\" at example 1", err)
	}
	if _, err := NewLookupTable("c", []string{"a", "a"}, 1, 1); err == nil {
		t.Error("a duplicate value was accepted")
	}
}

// TestStandardizeFloat32FarFromZero: a float32 feature far from zero (a year) keeps
// its precision: (x - mean)/sd, not x/sd - mean/sd, whose cancellation loses about
// 1e-7·|mean|/sd.
func TestStandardizeFloat32FarFromZero(t *testing.T) {
	x := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{2003, 2011, 2017, 2029}))
	g, err := New(Infer, tensor.Float32, 4)
	if err != nil {
		t.Fatal(err)
	}
	xn, _ := g.bind("x", x)
	m, _ := g.bind("mean", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{2015.3})))
	v, _ := g.bind("variance", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0.0625})))
	y, err := Standardize(xn, m, v, false)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	got := e.Dense(y).Data().([]float32)
	for i, xv := range []float64{2003, 2011, 2017, 2029} {
		want := (xv - float64(float32(2015.3))) / 0.25
		if d := math.Abs(float64(got[i]) - want); d > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("row %d: %v, want %v (off by %.2g)", i, got[i], want, d)
		}
	}
}

// TestNewParamTooLargeForMemory: a table too large for the machine (an
// embedding of 10^11 rows) is an error naming the weight, not a crash.
func TestNewParamTooLargeForMemory(t *testing.T) {
	for _, shape := range [][]int{{100_000_000_000, 16}, {1 << 40, 1 << 40}} {
		_, err := NewParam("emb/embeddings", tensor.Float32, shape, Constant{V: 0}, 1, 1, nil)
		if err == nil || !strings.Contains(err.Error(), "emb/embeddings") {
			t.Errorf("shape %v: %v", shape, err)
		}
	}
}
