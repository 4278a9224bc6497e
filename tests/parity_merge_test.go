package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityMergeCase is one case of torch_merge/merge.json (see the README there): the
// op's inputs, the upstream gradient, y and the gradients of sum(y*upstream) with
// respect to each input (null for the embedding ids).
type parityMergeCase struct {
	Name      string         `json:"name"`
	Op        string         `json:"op"`
	Axis      int            `json:"axis"`
	Axes      []int          `json:"axes"`
	Normalize bool           `json:"normalize"`
	Inputs    []parityArray  `json:"inputs"`
	Upstream  parityArray    `json:"upstream"`
	Y         parityArray    `json:"y"`
	Grads     []*parityArray `json:"grads"`
}

// parityMergeResult is what one layer-level run computed: y and the gradients, in
// the order of the fixture's grads (the table's for the embedding).
type parityMergeResult struct {
	y, predicted []float64
	grads        [][]float64
}

// parityMergeLayer returns the layer of a case.
func parityMergeLayer(c parityMergeCase) (layers.Layer, error) {
	name := layers.WithName("merge")
	switch c.Op {
	case "embedding":
		if len(c.Inputs) != 2 || len(c.Inputs[0].Shape) != 2 {
			return nil, fmt.Errorf("embedding wants a (vocab, dim) table and ids")
		}
		return layers.Embedding(c.Inputs[0].Shape[0], c.Inputs[0].Shape[1], name), nil
	case "add":
		return layers.Add(name), nil
	case "subtract":
		return layers.Subtract(name), nil
	case "multiply":
		return layers.Multiply(name), nil
	case "average":
		return layers.Average(name), nil
	case "maximum":
		return layers.Maximum(name), nil
	case "minimum":
		return layers.Minimum(name), nil
	case "concatenate":
		return layers.Concatenate(c.Axis, name), nil
	case "dot":
		if len(c.Axes) != 2 {
			return nil, fmt.Errorf("dot: axes %v", c.Axes)
		}
		return layers.DotAxes(c.Axes[0], c.Axes[1], name, layers.WithNormalize(c.Normalize)), nil
	}
	return nil, fmt.Errorf("unknown op %q", c.Op)
}

// parityMergeModel builds a functional model around the case's layer (float32): one
// Input per fixture input (an Int64 input for the embedding ids), the embedding's
// table set from the fixture. It returns the model, the layer, and the fixture
// arrays that feed the model's inputs, in order.
func parityMergeModel(c parityMergeCase) (*layers.Functional, layers.Layer, []parityArray, error) {
	l, err := parityMergeLayer(c)
	if err != nil {
		return nil, nil, nil, err
	}
	feeds := c.Inputs
	var ins []*layers.Tensor
	if c.Op == "embedding" {
		feeds = c.Inputs[1:]
		ins = append(ins, layers.NewInput("ids", layers.Shape(feeds[0].Shape[1:]...), layers.Int64))
	} else {
		for i, a := range feeds {
			ins = append(ins, layers.NewInput(fmt.Sprintf("x%d", i), layers.Shape(a.Shape[1:]...)))
		}
	}
	y := layers.Apply(l, ins...)[0]
	m, err := layers.NewModel(ins, []*layers.Tensor{y})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		return nil, nil, nil, fmt.Errorf("build: %w", err)
	}
	if got, want := m.Outputs()[0].Shape, c.Y.Shape[1:]; fmt.Sprint(got) != fmt.Sprint(want) {
		return nil, nil, nil, fmt.Errorf("the model's output shape %v, the fixture's y %v", got, want)
	}
	if e, ok := l.(*layers.EmbeddingLayer); ok {
		if err := e.Table().SetFloat64s(c.Inputs[0].Data); err != nil {
			return nil, nil, nil, err
		}
	}
	return m, l, feeds, nil
}

// parityMergeTensor is a fixture array as a tensor: Int64 for the ids, float32
// otherwise.
func parityMergeTensor(a parityArray, ids bool) *tensor.Dense {
	if !ids {
		return parityTensor(tensor.Float32, a)
	}
	d := make([]int64, len(a.Data))
	for i, v := range a.Data {
		d[i] = int64(v)
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(d))
}

// parityRunMerge runs the case through the layer: the model's ForwardMulti on a
// training graph, the gradients of sum(y*upstream) with respect to the float inputs
// (or the embedding's table), twice on one executor (the second run reuses every
// buffer); then the trainer's Predict on the same inputs.
func parityRunMerge(c parityMergeCase) (res parityMergeResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	m, l, feeds, err := parityMergeModel(c)
	if err != nil {
		return res, err
	}
	ids := c.Op == "embedding"
	batch := feeds[0].Shape[0]
	g, err := graph.New(graph.Train, tensor.Float32, batch)
	if err != nil {
		return res, err
	}
	specs := m.Inputs()
	nodes := make([]*G.Node, len(feeds))
	vals := make([]*tensor.Dense, len(feeds))
	for i, a := range feeds {
		vals[i] = parityMergeTensor(a, ids)
		var t *tensor.Dense
		if nodes[i], t, err = g.InputOf("x/"+specs[i].Name, specs[i].DType, specs[i].Shape...); err != nil {
			return res, err
		}
		if err := parityMergeCopy(t, vals[i]); err != nil {
			return res, fmt.Errorf("input %d: %w", i, err)
		}
	}
	outs, err := m.ForwardMulti(g, nodes)
	if err != nil {
		return res, fmt.Errorf("forward: %w", err)
	}
	y := outs[0]
	up, upT, err := g.Input("upstream", c.Upstream.Shape[1:]...)
	if err != nil {
		return res, err
	}
	parityCopyF32(upT, c.Upstream.Data)
	prod, err := G.HadamardProd(y, up)
	if err != nil {
		return res, err
	}
	cost, err := graph.SumAll(prod)
	if err != nil {
		return res, err
	}
	var wrt G.Nodes
	if ids {
		tn, ok := g.ParamNode(l.Params()[0])
		if !ok {
			return res, fmt.Errorf("the embedding's table is not bound to the graph")
		}
		wrt = G.Nodes{tn}
	} else {
		wrt = G.Nodes(nodes)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return res, fmt.Errorf("grad: %w", err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		return res, err
	}
	for run := 1; run <= 2; run++ {
		if err := e.Run(); err != nil {
			return res, fmt.Errorf("run %d: %w", run, err)
		}
		yv, gs := e.Dense(y), make([][]float64, len(grads))
		if res.y, err = parityFloats(yv); err != nil {
			return res, fmt.Errorf("run %d: y: %w", run, err)
		}
		for i, n := range grads {
			if gs[i], err = parityFloats(e.Dense(n)); err != nil {
				return res, fmt.Errorf("run %d: gradient %d: %w", run, i, err)
			}
		}
		if run == 2 {
			for i := range gs {
				if fmt.Sprint(gs[i]) != fmt.Sprint(res.grads[i]) {
					return res, fmt.Errorf("gradient %d differs between two runs of one executor", i)
				}
			}
		}
		res.grads = gs
	}
	// The trainer's inference program gives the same y.
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		return res, fmt.Errorf("trainer: %w", err)
	}
	defer tr.Close()
	pred, err := tr.PredictTensors(vals)
	if err != nil {
		return res, fmt.Errorf("predict: %w", err)
	}
	if res.predicted, err = parityFloats(pred[0]); err != nil {
		return res, fmt.Errorf("predict: %w", err)
	}
	return res, nil
}

// parityMergeCopy copies src into dst of the same dtype and size.
func parityMergeCopy(dst, src *tensor.Dense) error {
	if dst.Dtype() != src.Dtype() || dst.Shape().TotalSize() != src.Shape().TotalSize() {
		return fmt.Errorf("node %v %v, fixture %v %v", dst.Dtype(), dst.Shape(), src.Dtype(), src.Shape())
	}
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32))
	case []int64:
		copy(d, src.Data().([]int64))
	default:
		return fmt.Errorf("data of type %T", d)
	}
	return nil
}

// TestParityMergeLayers: Embedding and every merge layer, applied in a functional
// model, give PyTorch's y and gradients of sum(y*upstream) (tests/testdata/
// torch_merge, tolerance 1e-5·max(1, |want|)).
func TestParityMergeLayers(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_merge", "merge.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix struct {
		Cases []parityMergeCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fix.Cases) != 14 {
		t.Fatalf("merge.json has %d cases, want 14", len(fix.Cases))
	}
	var worst parityMax
	seen := map[string]bool{}
	for _, c := range fix.Cases {
		c := c
		seen[c.Op] = true
		t.Run(c.Name, func(t *testing.T) {
			for i, a := range c.Inputs {
				parityCheckArray(t, c.Name, fmt.Sprintf("inputs[%d]", i), a)
			}
			parityCheckArray(t, c.Name, "upstream", c.Upstream)
			parityCheckArray(t, c.Name, "y", c.Y)
			if len(c.Grads) != len(c.Inputs) {
				t.Fatalf("case %s: %d gradients for %d inputs", c.Name, len(c.Grads), len(c.Inputs))
			}
			var want []*parityArray
			for i, gr := range c.Grads {
				isIDs := c.Op == "embedding" && i == 1
				if (gr == nil) != isIDs {
					t.Fatalf("case %s: gradient %d present %v, want %v", c.Name, i, gr != nil, !isIDs)
				}
				if gr != nil {
					parityCheckArray(t, c.Name, fmt.Sprintf("grads[%d]", i), *gr)
					want = append(want, gr)
				}
			}
			res, err := parityRunMerge(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			worst.add(parityCompare(t, c.Name, "y", res.y, c.Y.Data), c.Name+"/y")
			worst.add(parityCompare(t, c.Name, "predicted y", res.predicted, c.Y.Data), c.Name+"/predict")
			if len(res.grads) != len(want) {
				t.Fatalf("case %s: %d gradients computed, %d in the fixture", c.Name, len(res.grads), len(want))
			}
			for i, w := range want {
				what := fmt.Sprintf("grad[%d]", i)
				if c.Op == "embedding" {
					what = "grad[table]"
				}
				worst.add(parityCompare(t, c.Name, what, res.grads[i], w.Data), c.Name+"/"+what)
			}
		})
	}
	for _, op := range []string{"embedding", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"} {
		if !seen[op] {
			t.Errorf("the fixture has no %s case", op)
		}
	}
	worst.report(t, "torch_merge/merge.json")
}
