package graph

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mergeFixture is tests/testdata/torch_merge/merge.json (see the README there).
type mergeFixture struct {
	Cases []mergeCase `json:"cases"`
}

type mergeArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type mergeCase struct {
	Name      string        `json:"name"`
	Op        string        `json:"op"`
	Axis      int           `json:"axis"`
	Axes      []int         `json:"axes"`
	Normalize bool          `json:"normalize"`
	Inputs    []mergeArray  `json:"inputs"`
	Upstream  mergeArray    `json:"upstream"`
	Y         mergeArray    `json:"y"`
	Grads     []*mergeArray `json:"grads"`
}

func (a mergeArray) float32s() *tensor.Dense {
	d := make([]float32, len(a.Data))
	for i, v := range a.Data {
		d[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(d))
}

func (a mergeArray) int64s() *tensor.Dense {
	d := make([]int64, len(a.Data))
	for i, v := range a.Data {
		d[i] = int64(v)
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(d))
}

// buildMergeCase adds the case's inputs to g and returns the output and the float
// input nodes, in input order (nil for the ids).
func buildMergeCase(g *Graph, c mergeCase) (*G.Node, []*G.Node, error) {
	nodes := make([]*G.Node, len(c.Inputs))
	if c.Op == "embedding" {
		// the table as a model parameter, the ids as an int64 input
		p := &Param{Name: "embedding/table", Value: c.Inputs[0].float32s(), Trainable: true}
		table, err := g.Param(p)
		if err != nil {
			return nil, nil, err
		}
		ids := c.Inputs[1].int64s()
		idn := G.NewTensor(g.ExprGraph(), tensor.Int64, ids.Dims(), G.WithShape(ids.Shape().Clone()...), G.WithValue(ids), G.WithName("ids"))
		nodes[0] = table
		y, err := Gather(table, idn)
		return y, nodes, err
	}
	for i, in := range c.Inputs {
		var err error
		if nodes[i], err = g.bind(fmt.Sprintf("x%d", i), in.float32s()); err != nil {
			return nil, nil, err
		}
	}
	two := func(f func(a, b *G.Node) (*G.Node, error)) (*G.Node, error) {
		if len(nodes) != 2 {
			return nil, errors.Errorf("%s wants 2 inputs, has %d", c.Op, len(nodes))
		}
		return f(nodes[0], nodes[1])
	}
	var y *G.Node
	var err error
	switch c.Op {
	case "add":
		y, err = two(func(a, b *G.Node) (*G.Node, error) { return G.Add(a, b) })
	case "subtract":
		y, err = two(func(a, b *G.Node) (*G.Node, error) { return G.Sub(a, b) })
	case "multiply":
		y, err = two(func(a, b *G.Node) (*G.Node, error) { return G.HadamardProd(a, b) })
	case "average":
		y = nodes[0]
		for _, n := range nodes[1:] {
			if y, err = G.Add(y, n); err != nil {
				return nil, nil, err
			}
		}
		y, err = G.Mul(y, g.Scalar(1/float64(len(nodes))))
	case "maximum":
		y, err = two(Maximum)
	case "minimum":
		y, err = two(Minimum)
	case "concatenate":
		y, err = Concat(c.Axis, nodes...)
	case "dot":
		if len(c.Axes) != 2 {
			return nil, nil, errors.Errorf("dot: axes %v", c.Axes)
		}
		y, err = two(func(a, b *G.Node) (*G.Node, error) { return BatchDot(a, b, c.Axes[0], c.Axes[1], c.Normalize) })
	default:
		return nil, nil, errors.Errorf("unknown op %q", c.Op)
	}
	return y, nodes, err
}

func TestMergeParityWithTorch(t *testing.T) {
	raw, err := os.ReadFile("../tests/testdata/torch_merge/merge.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx mergeFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range fx.Cases {
		c := c
		seen[c.Op] = true
		t.Run(c.Name, func(t *testing.T) {
			g, err := New(Train, tensor.Float32, c.Inputs[0].Shape[0])
			if err != nil {
				t.Fatal(err)
			}
			y, nodes, err := buildMergeCase(g, c)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			up, err := g.bind("upstream", c.Upstream.float32s())
			if err != nil {
				t.Fatal(err)
			}
			prod, err := G.HadamardProd(y, up)
			if err != nil {
				t.Fatal(err)
			}
			loss, err := SumAll(prod)
			if err != nil {
				t.Fatal(err)
			}
			var wrt []*G.Node
			var want []*mergeArray
			for i, gr := range c.Grads {
				if (gr == nil) != (nodes[i] == nil) {
					t.Fatalf("input %d: gradient in the fixture %v, float node %v", i, gr != nil, nodes[i] != nil)
				}
				if gr != nil {
					wrt, want = append(wrt, nodes[i]), append(want, gr)
				}
			}
			grads, err := G.Grad(loss, wrt...)
			if err != nil {
				t.Fatalf("grad: %v", err)
			}
			e, err := NewExecutor(g.ExprGraph())
			if err != nil {
				t.Fatal(err)
			}
			for run := 1; run <= 2; run++ { // the second run reuses every buffer
				if err := e.Run(); err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				yv := e.Dense(y)
				if !yv.Shape().Eq(tensor.Shape(c.Y.Shape)) {
					t.Fatalf("y shape %v, want %v", yv.Shape(), c.Y.Shape)
				}
				assertClose(t, fmt.Sprintf("run %d: y", run), toF64(yv), c.Y.Data, 1e-5)
				for i, gn := range grads {
					gv := e.Dense(gn)
					if !gv.Shape().Eq(tensor.Shape(want[i].Shape)) {
						t.Fatalf("gradient %d shape %v, want %v", i, gv.Shape(), want[i].Shape)
					}
					assertClose(t, fmt.Sprintf("run %d: gradient %d", run, i), toF64(gv), want[i].Data, 1e-5)
				}
			}
		})
	}
	for _, op := range []string{"embedding", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"} {
		if !seen[op] {
			t.Errorf("the fixture has no %s case", op)
		}
	}
}
