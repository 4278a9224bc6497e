package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityAttentionCase is one "mha" case of torch_attention/attention.json (see the
// README there): nn.MultiheadAttention with its weights in Keras' layout.
type parityAttentionCase struct {
	Name        string                 `json:"name"`
	Heads       int                    `json:"heads"`
	KeyDim      int                    `json:"key_dim"`
	Self        bool                   `json:"self"`
	Causal      bool                   `json:"causal"`
	Query       parityArray            `json:"query"`
	Value       *parityArray           `json:"value"`
	KeyMask     *parityArray           `json:"key_mask"`
	Weights     map[string]parityArray `json:"weights"`
	Upstream    parityArray            `json:"upstream"`
	Y           parityArray            `json:"y"`
	Scores      parityArray            `json:"scores"`
	GradQuery   parityArray            `json:"grad_query"`
	GradValue   *parityArray           `json:"grad_value"`
	GradWeights map[string]parityArray `json:"grad_weights"`
}

// parityTDCase is the "time_distributed" case: nn.Linear over every step.
type parityTDCase struct {
	Name       string      `json:"name"`
	X          parityArray `json:"x"`
	Kernel     parityArray `json:"kernel"`
	Bias       parityArray `json:"bias"`
	Upstream   parityArray `json:"upstream"`
	Y          parityArray `json:"y"`
	GradX      parityArray `json:"grad_x"`
	GradKernel parityArray `json:"grad_kernel"`
	GradBias   parityArray `json:"grad_bias"`
}

type parityAttentionFixture struct {
	MHA             []parityAttentionCase `json:"mha"`
	TimeDistributed []parityTDCase        `json:"time_distributed"`
}

func parityAttentionLoad(t *testing.T) parityAttentionFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_attention", "attention.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix parityAttentionFixture
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return fix
}

// parityAttentionWeightNames are the weights of MultiHeadAttention, in its order.
var parityAttentionWeightNames = []string{"query/kernel", "query/bias", "key/kernel", "key/bias",
	"value/kernel", "value/bias", "output/kernel", "output/bias"}

// parityParamSuffix returns the param whose name ends in "/"+suffix.
func parityParamSuffix(ps []*graph.Param, suffix string) (*graph.Param, error) {
	for _, p := range ps {
		if strings.HasSuffix(p.Name, "/"+suffix) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no weight named */%s", suffix)
}

// parityAttentionResult is what the layer computed: y, the attention weights, and
// the gradients of sum(y*upstream) w.r.t. the query, the value (nil for self-
// attention) and each weight (in parityAttentionWeightNames' order).
type parityAttentionResult struct {
	y, scores, gq, gv []float64
	gw                [][]float64
}

// parityRunAttention builds MultiHeadAttention in a functional model (float32),
// loads the fixture's weights, then runs the layer's ForwardMulti on a training
// graph whose value node carries the case's key mask (g.SetMask), and the
// gradients of sum(y*upstream), twice on one executor.
func parityRunAttention(c parityAttentionCase) (res parityAttentionResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	l := layers.MultiHeadAttention(c.Heads, c.KeyDim, layers.WithName("mha"),
		layers.WithCausalMask(c.Causal), layers.WithReturnScores(true))
	qIn := layers.NewInput("query", layers.Shape(c.Query.Shape[1:]...))
	ins := []*layers.Tensor{qIn}
	vIn := qIn
	if !c.Self {
		vIn = layers.NewInput("value", layers.Shape(c.Value.Shape[1:]...))
		ins = append(ins, vIn)
	}
	outs := layers.Apply(l, qIn, vIn)
	m, err := layers.NewModel(ins, outs)
	if err != nil {
		return res, fmt.Errorf("model: %w", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if got, want := m.Outputs()[0].Shape, c.Y.Shape[1:]; fmt.Sprint(got) != fmt.Sprint(want) {
		return res, fmt.Errorf("output shape %v, fixture y %v", got, want)
	}
	params := make([]*graph.Param, len(parityAttentionWeightNames))
	for i, name := range parityAttentionWeightNames {
		if params[i], err = parityParamSuffix(l.Params(), name); err != nil {
			return res, err
		}
		w, ok := c.Weights[name]
		if !ok {
			return res, fmt.Errorf("fixture has no weight %s", name)
		}
		if fmt.Sprint(params[i].Value.Shape()) != fmt.Sprint(tensor.Shape(w.Shape)) {
			return res, fmt.Errorf("weight %s: layer shape %v, fixture %v", name, params[i].Value.Shape(), w.Shape)
		}
		if err := params[i].SetFloat64s(w.Data); err != nil {
			return res, fmt.Errorf("weight %s: %w", name, err)
		}
	}
	if len(l.Params()) != len(params) {
		return res, fmt.Errorf("layer has %d weights, want %d", len(l.Params()), len(params))
	}

	g, err := graph.New(graph.Train, tensor.Float32, c.Query.Shape[0])
	if err != nil {
		return res, err
	}
	qn, qt, err := g.Input("x/query", c.Query.Shape[1:]...)
	if err != nil {
		return res, err
	}
	parityCopyF32(qt, c.Query.Data)
	vn := qn
	if !c.Self {
		var vt *tensor.Dense
		if vn, vt, err = g.Input("x/value", c.Value.Shape[1:]...); err != nil {
			return res, err
		}
		parityCopyF32(vt, c.Value.Data)
	}
	if c.KeyMask != nil {
		mn, mt, err := g.Input("x/key_mask", c.KeyMask.Shape[1:]...)
		if err != nil {
			return res, err
		}
		parityCopyF32(mt, c.KeyMask.Data)
		g.SetMask(vn, mn)
	}
	ys, err := l.ForwardMulti(g, []*G.Node{qn, vn})
	if err != nil {
		return res, fmt.Errorf("forward: %w", err)
	}
	if len(ys) != 2 {
		return res, fmt.Errorf("%d outputs, want 2", len(ys))
	}
	y, sc := ys[0], ys[1]
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
	wrt := G.Nodes{qn}
	if !c.Self {
		wrt = append(wrt, vn)
	}
	for _, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			return res, fmt.Errorf("weight %s not bound to the graph", p.Name)
		}
		wrt = append(wrt, n)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return res, fmt.Errorf("grad: %w", err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		return res, err
	}
	var first [][]float64
	for run := 1; run <= 2; run++ {
		if err := e.Run(); err != nil {
			return res, fmt.Errorf("run %d: %w", run, err)
		}
		if res.y, err = parityFloats(e.Dense(y)); err != nil {
			return res, fmt.Errorf("y: %w", err)
		}
		if res.scores, err = parityFloats(e.Dense(sc)); err != nil {
			return res, fmt.Errorf("scores: %w", err)
		}
		gs := make([][]float64, len(grads))
		for i, n := range grads {
			if gs[i], err = parityFloats(e.Dense(n)); err != nil {
				return res, fmt.Errorf("gradient %d: %w", i, err)
			}
		}
		if run == 2 {
			for i := range gs {
				if fmt.Sprint(gs[i]) != fmt.Sprint(first[i]) {
					return res, fmt.Errorf("gradient %d differs between two runs of one executor", i)
				}
			}
		}
		first = gs
	}
	res.gq, first = first[0], first[1:]
	if !c.Self {
		res.gv, first = first[0], first[1:]
	}
	res.gw = first
	return res, nil
}

// TestParityMultiHeadAttention: MultiHeadAttention gives nn.MultiheadAttention's
// output, attention weights and gradients of sum(y*upstream) w.r.t. the query,
// the value and every weight (tests/testdata/torch_attention; self-attention,
// cross-attention with Tq != Tv, causal, key padding mask; tolerance
// 1e-5·max(1, |want|)).
func TestParityMultiHeadAttention(t *testing.T) {
	fix := parityAttentionLoad(t)
	if len(fix.MHA) != 4 {
		t.Fatalf("attention.json has %d mha cases, want 4", len(fix.MHA))
	}
	var worst parityMax
	for _, c := range fix.MHA {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			for name, a := range map[string]parityArray{"query": c.Query, "upstream": c.Upstream, "y": c.Y,
				"scores": c.Scores, "grad_query": c.GradQuery} {
				parityCheckArray(t, c.Name, name, a)
			}
			if c.Self != (c.Value == nil) || c.Self != (c.GradValue == nil) {
				t.Fatalf("case %s: self %v but value/grad_value presence disagrees", c.Name, c.Self)
			}
			res, err := parityRunAttention(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			worst.add(parityCompare(t, c.Name, "y", res.y, c.Y.Data), c.Name+"/y")
			worst.add(parityCompare(t, c.Name, "scores", res.scores, c.Scores.Data), c.Name+"/scores")
			worst.add(parityCompare(t, c.Name, "grad[query]", res.gq, c.GradQuery.Data), c.Name+"/grad[query]")
			if !c.Self {
				worst.add(parityCompare(t, c.Name, "grad[value]", res.gv, c.GradValue.Data), c.Name+"/grad[value]")
			}
			for i, name := range parityAttentionWeightNames {
				w, ok := c.GradWeights[name]
				if !ok {
					t.Fatalf("case %s: fixture has no gradient of %s", c.Name, name)
				}
				what := "grad[" + name + "]"
				worst.add(parityCompare(t, c.Name, what, res.gw[i], w.Data), c.Name+"/"+what)
			}
		})
	}
	worst.report(t, "torch_attention/attention.json mha")
}

// TestParityTimeDistributedDense: TimeDistributed(Dense) gives nn.Linear applied
// over every step: y and the gradients w.r.t. x, the kernel and the bias.
func TestParityTimeDistributedDense(t *testing.T) {
	fix := parityAttentionLoad(t)
	if len(fix.TimeDistributed) != 1 {
		t.Fatalf("attention.json has %d time_distributed cases, want 1", len(fix.TimeDistributed))
	}
	var worst parityMax
	for _, c := range fix.TimeDistributed {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			dense := layers.Dense(c.Kernel.Shape[1])
			td := layers.TimeDistributed(dense, layers.WithName("td"))
			x := layers.NewInput("x", layers.Shape(c.X.Shape[1:]...))
			m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{td.Apply(x)})
			if err != nil {
				t.Fatalf("model: %v", err)
			}
			if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
				t.Fatalf("build: %v", err)
			}
			var params []*graph.Param
			for _, s := range []struct {
				name string
				a    parityArray
			}{{"kernel", c.Kernel}, {"bias", c.Bias}} {
				p, err := parityParamSuffix(td.Params(), s.name)
				if err != nil {
					t.Fatal(err)
				}
				if err := p.SetFloat64s(s.a.Data); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				params = append(params, p)
			}
			g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
			if err != nil {
				t.Fatal(err)
			}
			xn, xt, err := g.Input("x/x", c.X.Shape[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			parityCopyF32(xt, c.X.Data)
			y, err := td.Forward(g, xn)
			if err != nil {
				t.Fatalf("forward: %v", err)
			}
			yv, grads, err := parityBackward(g, xn, y, c.Upstream.Data, params)
			if err != nil {
				t.Fatal(err)
			}
			worst.add(parityCompare(t, c.Name, "y", yv, c.Y.Data), c.Name+"/y")
			for i, w := range []parityArray{c.GradX, c.GradKernel, c.GradBias} {
				what := []string{"grad[x]", "grad[kernel]", "grad[bias]"}[i]
				worst.add(parityCompare(t, c.Name, what, grads[i], w.Data), c.Name+"/"+what)
			}
		})
	}
	worst.report(t, "torch_attention/attention.json time_distributed")
}
