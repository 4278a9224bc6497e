package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityRecsysCase is one case of torch_recsys/recsys.json (see the README there):
// the layer's input x (ids stored as floats for EmbeddingBag), its weights by name
// after the layer's name, the upstream gradient, y and the gradients of
// sum(y*upstream) with respect to x (null for ids) and to every weight.
type parityRecsysCase struct {
	Name        string                 `json:"name"`
	Op          string                 `json:"op"`
	Options     parityRecsysOptions    `json:"options"`
	X           parityArray            `json:"x"`
	Weights     map[string]parityArray `json:"weights"`
	Upstream    parityArray            `json:"upstream"`
	Y           parityArray            `json:"y"`
	GradX       *parityArray           `json:"grad_x"`
	GradWeights map[string]parityArray `json:"grad_weights"`
}

type parityRecsysOptions struct {
	KeepDims        bool   `json:"keep_dims"`
	Layers          int    `json:"layers"`
	LowRank         int    `json:"low_rank"`
	UseBias         *bool  `json:"use_bias"`
	SelfInteraction bool   `json:"self_interaction"`
	Combiner        string `json:"combiner"`
	PaddingID       int    `json:"padding_id"`
}

// parityRecsysLayer returns the layer of a case, named "l".
func parityRecsysLayer(c parityRecsysCase) (layers.Layer, error) {
	name := layers.WithName("l")
	o := c.Options
	switch c.Op {
	case "fm":
		return layers.FM(name, layers.WithKeepDims(o.KeepDims)), nil
	case "crossnet":
		opts := []layers.Option{name}
		if o.LowRank > 0 {
			opts = append(opts, layers.WithLowRank(o.LowRank))
		}
		if o.UseBias != nil {
			opts = append(opts, layers.WithBias(*o.UseBias))
		}
		return layers.CrossNet(o.Layers, opts...), nil
	case "dot_interaction":
		return layers.DotInteraction(name, layers.WithSelfInteraction(o.SelfInteraction)), nil
	case "embedding_bag":
		t, ok := c.Weights["embeddings"]
		if !ok || len(t.Shape) != 2 {
			return nil, fmt.Errorf("embedding_bag wants a (vocab, dim) table")
		}
		return layers.EmbeddingBag(t.Shape[0], t.Shape[1], name, layers.WithCombiner(o.Combiner), layers.WithPaddingID(o.PaddingID)), nil
	}
	return nil, fmt.Errorf("unknown op %q", c.Op)
}

// parityRecsysResult is what one run computed: y (from the training graph and
// from the trainer's Predict), the gradient of x (nil for ids) and of each weight
// by fixture name.
type parityRecsysResult struct {
	y, predicted []float64
	gradX        []float64
	gradW        map[string][]float64
}

// parityRunRecsys builds a float32 functional model around the case's layer, sets
// its weights from the fixture, adds sum(y*upstream) and its gradients to a
// training graph and runs it twice on one executor (the second run reuses every
// buffer and must agree); then predicts y with a trainer.
func parityRunRecsys(c parityRecsysCase) (res parityRecsysResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	l, err := parityRecsysLayer(c)
	if err != nil {
		return res, err
	}
	ids := c.Op == "embedding_bag"
	inOpts := []layers.InputOption{layers.Shape(c.X.Shape[1:]...)}
	var xv *tensor.Dense
	if ids {
		inOpts = append(inOpts, layers.Int64)
		d := make([]int64, len(c.X.Data))
		for i, v := range c.X.Data {
			d[i] = int64(v)
		}
		xv = tensor.New(tensor.WithShape(c.X.Shape...), tensor.WithBacking(d))
	} else {
		xv = parityTensor(tensor.Float32, c.X)
	}
	in := layers.NewInput("x", inOpts...)
	m, err := layers.NewModel([]*layers.Tensor{in}, layers.Apply(l, in))
	if err != nil {
		return res, fmt.Errorf("model: %w", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if got, want := m.Outputs()[0].Shape, c.Y.Shape[1:]; fmt.Sprint(got) != fmt.Sprint(want) {
		return res, fmt.Errorf("the model's output shape %v, the fixture's y %v", got, want)
	}
	params := l.Params()
	var names []string
	for _, p := range params {
		short := strings.TrimPrefix(p.Name, "l/")
		w, ok := c.Weights[short]
		if !ok {
			return res, fmt.Errorf("the fixture has no weight %q", short)
		}
		if fmt.Sprint([]int(p.Value.Shape())) != fmt.Sprint(w.Shape) {
			return res, fmt.Errorf("weight %s: shape %v, the fixture's %v", short, p.Value.Shape(), w.Shape)
		}
		if err := p.SetFloat64s(w.Data); err != nil {
			return res, err
		}
		names = append(names, short)
	}
	if len(names) != len(c.Weights) {
		return res, fmt.Errorf("the layer has weights %v, the fixture %d", names, len(c.Weights))
	}
	g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
	if err != nil {
		return res, err
	}
	spec := m.Inputs()[0]
	x, xt, err := g.InputOf("x", spec.DType, spec.Shape...)
	if err != nil {
		return res, err
	}
	switch d := xt.Data().(type) {
	case []float32:
		copy(d, xv.Data().([]float32))
	case []int64:
		copy(d, xv.Data().([]int64))
	}
	outs, err := m.ForwardMulti(g, []*G.Node{x})
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
	if !ids {
		wrt = append(wrt, x)
	}
	for _, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			return res, fmt.Errorf("weight %s is not bound to the graph", p.Name)
		}
		wrt = append(wrt, n)
	}
	var grads G.Nodes
	if len(wrt) > 0 {
		if grads, err = G.Grad(cost, wrt...); err != nil {
			return res, fmt.Errorf("grad: %w", err)
		}
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		return res, err
	}
	var prev [][]float64
	for run := 1; run <= 2; run++ {
		if err := e.Run(); err != nil {
			return res, fmt.Errorf("run %d: %w", run, err)
		}
		if res.y, err = parityFloats(e.Dense(y)); err != nil {
			return res, fmt.Errorf("run %d: y: %w", run, err)
		}
		gs := make([][]float64, len(grads))
		for i, n := range grads {
			if gs[i], err = parityFloats(e.Dense(n)); err != nil {
				return res, fmt.Errorf("run %d: gradient %d: %w", run, i, err)
			}
			if run == 2 && fmt.Sprint(gs[i]) != fmt.Sprint(prev[i]) {
				return res, fmt.Errorf("gradient %d differs between two runs of one executor", i)
			}
		}
		prev = gs
	}
	res.gradW = map[string][]float64{}
	if !ids {
		res.gradX, prev = prev[0], prev[1:]
	}
	for i, n := range names {
		res.gradW[n] = prev[i]
	}
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		return res, fmt.Errorf("trainer: %w", err)
	}
	defer tr.Close()
	pred, err := tr.PredictTensors([]*tensor.Dense{xv}, trainers.BatchSize(2))
	if err != nil {
		return res, fmt.Errorf("predict: %w", err)
	}
	if res.predicted, err = parityFloats(pred[0]); err != nil {
		return res, fmt.Errorf("predict: %w", err)
	}
	return res, nil
}

// TestParityRecsysLayers: FM, CrossNet (full and low rank), DotInteraction and
// EmbeddingBag (sum, mean, sqrtn, padding 0, -1 and 3), each in a functional model,
// give PyTorch's y and gradients of sum(y*upstream) with respect to the input and
// every weight (tests/testdata/torch_recsys, tolerance 1e-5·max(1, |want|)).
func TestParityRecsysLayers(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_recsys", "recsys.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix struct {
		Cases []parityRecsysCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fix.Cases) != 12 {
		t.Fatalf("recsys.json has %d cases, want 12", len(fix.Cases))
	}
	var worst parityMax
	perOp := map[string]*parityMax{}
	for _, c := range fix.Cases {
		c := c
		if perOp[c.Op] == nil {
			perOp[c.Op] = &parityMax{}
		}
		opMax := perOp[c.Op]
		t.Run(c.Name, func(t *testing.T) {
			parityCheckArray(t, c.Name, "x", c.X)
			parityCheckArray(t, c.Name, "upstream", c.Upstream)
			parityCheckArray(t, c.Name, "y", c.Y)
			if (c.GradX == nil) != (c.Op == "embedding_bag") {
				t.Fatalf("case %s: grad_x present %v for op %s", c.Name, c.GradX != nil, c.Op)
			}
			if len(c.GradWeights) != len(c.Weights) {
				t.Fatalf("case %s: %d weight gradients for %d weights", c.Name, len(c.GradWeights), len(c.Weights))
			}
			res, err := parityRunRecsys(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			add := func(d float64, what string) {
				worst.add(d, c.Name+"/"+what)
				opMax.add(d, c.Name+"/"+what)
			}
			add(parityCompare(t, c.Name, "y", res.y, c.Y.Data), "y")
			add(parityCompare(t, c.Name, "predicted y", res.predicted, c.Y.Data), "predict")
			if c.GradX != nil {
				parityCheckArray(t, c.Name, "grad_x", *c.GradX)
				add(parityCompare(t, c.Name, "grad_x", res.gradX, c.GradX.Data), "grad_x")
			}
			var names []string
			for n := range c.GradWeights {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				w := c.GradWeights[n]
				parityCheckArray(t, c.Name, "grad "+n, w)
				add(parityCompare(t, c.Name, "grad "+n, res.gradW[n], w.Data), "grad "+n)
			}
		})
	}
	for _, op := range []string{"fm", "crossnet", "dot_interaction", "embedding_bag"} {
		if perOp[op] == nil {
			t.Errorf("the fixture has no %s case", op)
			continue
		}
		perOp[op].report(t, op)
	}
	worst.report(t, "torch_recsys/recsys.json")
}
