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

// parityTransformerCase is one case of torch_transformer/transformer.json (see the
// README there): a Keras-hub transformer block written in torch with Keras-layout
// weights.
type parityTransformerCase struct {
	Name            string                 `json:"name"`
	Class           string                 `json:"class"`
	NumHeads        int                    `json:"num_heads"`
	IntermediateDim int                    `json:"intermediate_dim"`
	NormalizeFirst  bool                   `json:"normalize_first"`
	Activation      string                 `json:"activation"`
	Epsilon         float64                `json:"layer_norm_epsilon"`
	KeyMask         *parityArray           `json:"key_mask"`
	X               parityArray            `json:"x"`
	Weights         map[string]parityArray `json:"weights"`
	Upstream        parityArray            `json:"upstream"`
	Y               parityArray            `json:"y"`
	GradX           parityArray            `json:"grad_x"`
	GradWeights     map[string]parityArray `json:"grad_weights"`
}

// parityTransformerWeightNames are the blocks' weights (after "<block>/"), in the
// layers' order.
var parityTransformerWeightNames = []string{
	"self_attention/query/kernel", "self_attention/query/bias", "self_attention/key/kernel",
	"self_attention/key/bias", "self_attention/value/kernel", "self_attention/value/bias",
	"self_attention/output/kernel", "self_attention/output/bias",
	"self_attention_layer_norm/gamma", "self_attention_layer_norm/beta",
	"feedforward_layer_norm/gamma", "feedforward_layer_norm/beta",
	"feedforward_intermediate_dense/kernel", "feedforward_intermediate_dense/bias",
	"feedforward_output_dense/kernel", "feedforward_output_dense/bias"}

// parityRunTransformer builds the case's block in a float32 functional model,
// loads the fixture's weights, runs its Forward on a training graph (dropout 0)
// whose input carries the key mask, and returns y and the gradients of
// sum(y*upstream) w.r.t. x and each weight (parityTransformerWeightNames' order).
func parityRunTransformer(c parityTransformerCase) (y []float64, grads [][]float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	opts := []layers.Option{layers.WithName("blk"), layers.WithNormalizeFirst(c.NormalizeFirst),
		layers.WithActivation(c.Activation), layers.WithEpsilon(c.Epsilon)}
	var l layers.SingleLayer
	var apply func(*layers.Tensor) *layers.Tensor
	switch c.Class {
	case "TransformerEncoder":
		e := layers.TransformerEncoder(c.NumHeads, c.IntermediateDim, opts...)
		l, apply = e, e.Apply
	case "TransformerDecoder":
		d := layers.TransformerDecoder(c.NumHeads, c.IntermediateDim, opts...)
		l, apply = d, d.Apply
	default:
		return nil, nil, fmt.Errorf("unknown class %q", c.Class)
	}
	in := layers.NewInput("x", layers.Shape(c.X.Shape[1:]...))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{apply(in)})
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	if len(l.Params()) != len(parityTransformerWeightNames) {
		return nil, nil, fmt.Errorf("layer has %d weights, want %d", len(l.Params()), len(parityTransformerWeightNames))
	}
	params := make([]*graph.Param, len(parityTransformerWeightNames))
	for i, name := range parityTransformerWeightNames {
		if params[i], err = parityParamSuffix(l.Params(), name); err != nil {
			return nil, nil, err
		}
		w, ok := c.Weights[name]
		if !ok {
			return nil, nil, fmt.Errorf("fixture has no weight %s", name)
		}
		if fmt.Sprint(params[i].Value.Shape()) != fmt.Sprint(tensor.Shape(w.Shape)) {
			return nil, nil, fmt.Errorf("weight %s: layer shape %v, fixture %v", name, params[i].Value.Shape(), w.Shape)
		}
		if err := params[i].SetFloat64s(w.Data); err != nil {
			return nil, nil, fmt.Errorf("weight %s: %w", name, err)
		}
	}
	g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
	if err != nil {
		return nil, nil, err
	}
	xn, xt, err := g.Input("x/x", c.X.Shape[1:]...)
	if err != nil {
		return nil, nil, err
	}
	parityCopyF32(xt, c.X.Data)
	var mn *G.Node
	if c.KeyMask != nil {
		var mt *tensor.Dense
		if mn, mt, err = g.Input("x/mask", c.KeyMask.Shape[1:]...); err != nil {
			return nil, nil, err
		}
		parityCopyF32(mt, c.KeyMask.Data)
		g.SetMask(xn, mn)
	}
	yn, err := l.Forward(g, xn)
	if err != nil {
		return nil, nil, fmt.Errorf("forward: %w", err)
	}
	if got, _ := g.Mask(yn); got != mn {
		return nil, nil, fmt.Errorf("the output carries mask %v, want the input's %v", got, mn)
	}
	up, upT, err := g.Input("upstream", c.Upstream.Shape[1:]...)
	if err != nil {
		return nil, nil, err
	}
	parityCopyF32(upT, c.Upstream.Data)
	prod, err := G.HadamardProd(yn, up)
	if err != nil {
		return nil, nil, err
	}
	cost, err := graph.SumAll(prod)
	if err != nil {
		return nil, nil, err
	}
	wrt := G.Nodes{xn}
	for _, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			return nil, nil, fmt.Errorf("weight %s not bound to the graph", p.Name)
		}
		wrt = append(wrt, n)
	}
	gn, err := G.Grad(cost, wrt...)
	if err != nil {
		return nil, nil, fmt.Errorf("grad: %w", err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		return nil, nil, err
	}
	if err := e.Run(); err != nil {
		return nil, nil, fmt.Errorf("run: %w", err)
	}
	if y, err = parityFloats(e.Dense(yn)); err != nil {
		return nil, nil, fmt.Errorf("y: %w", err)
	}
	grads = make([][]float64, len(gn))
	for i, n := range gn {
		if grads[i], err = parityFloats(e.Dense(n)); err != nil {
			return nil, nil, fmt.Errorf("gradient %d: %w", i, err)
		}
	}
	return y, grads, nil
}

// TestParityTransformer: TransformerEncoder (with a padding mask) and
// TransformerDecoder (causal), pre-norm and post-norm, relu and gelu, give the
// torch blocks' outputs and gradients of sum(y*upstream) w.r.t. the input and
// every weight (tests/testdata/torch_transformer; tolerance 1e-5·max(1, |want|)).
func TestParityTransformer(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_transformer", "transformer.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix struct {
		Cases []parityTransformerCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fix.Cases) != 4 {
		t.Fatalf("transformer.json has %d cases, want 4", len(fix.Cases))
	}
	var worst parityMax
	for _, c := range fix.Cases {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			for name, a := range map[string]parityArray{"x": c.X, "upstream": c.Upstream, "y": c.Y, "grad_x": c.GradX} {
				parityCheckArray(t, c.Name, name, a)
			}
			y, grads, err := parityRunTransformer(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			worst.add(parityCompare(t, c.Name, "y", y, c.Y.Data), c.Name+"/y")
			worst.add(parityCompare(t, c.Name, "grad[x]", grads[0], c.GradX.Data), c.Name+"/grad[x]")
			for i, name := range parityTransformerWeightNames {
				w, ok := c.GradWeights[name]
				if !ok {
					t.Fatalf("case %s: fixture has no gradient of %s", c.Name, name)
				}
				what := "grad[" + name + "]"
				worst.add(parityCompare(t, c.Name, what, grads[1+i], w.Data), c.Name+"/"+what)
			}
		})
	}
	worst.report(t, "torch_transformer/transformer.json")
}
