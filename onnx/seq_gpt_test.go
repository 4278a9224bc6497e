package onnx

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// gptCase builds a jittered GPT of shape cfg and a fixed batch of two rows of
// token ids.
func gptCase(cfg zoo.GPTConfig) func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
	return func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
		m, err := zoo.NewGPT(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(); err != nil {
			t.Fatal(err)
		}
		jitter(m, 0.05)
		ctx := m.Inputs()[0].Shape[0]
		rows := make([][]int, 2)
		for r := range rows {
			rows[r] = make([]int, ctx)
			for i := range rows[r] {
				rows[r][i] = (7*i + 3*r*r + i*i) % cfg.Vocab
			}
		}
		return m, map[string]*tensor.Dense{zoo.GPTInput: ids(tensor.Int64, rows...)}
	}
}

// TestGPTExportParity exports the zoo's GPT (token ids → next-token
// distributions, issue 16 item 3) and checks ONNX Runtime against gokeras on a
// fixed batch of token ids: the small shape of the zoo's tests, a post-norm
// one, and the recipe's default shape (4 pre-norm blocks, 4 heads, width 128,
// context 128).
func TestGPTExportParity(t *testing.T) {
	gpt := gptCase
	cases := []seqCase{
		{name: "small", build: gpt(zoo.GPTConfig{Vocab: 40, Context: 32, Layers: 1, Heads: 2, Width: 32})},
		{name: "post_norm_dropout", build: gpt(zoo.GPTConfig{Vocab: 30, Context: 12, Layers: 2, Heads: 4, Width: 16, Dropout: 0.1, PostNorm: true})},
	}
	if !testing.Short() {
		cases = append(cases, seqCase{name: "recipe_default", build: gpt(zoo.GPTConfig{Vocab: 80})})
	}
	runSeqCases(t, cases)
}

// TestGPTLogitsParity checks the logits (the input of the final softmax) of the
// exported GPT against gokeras' PredictLogits: in the ONNX graph they are the
// value the last Softmax reads, made a graph output here by turning that
// Softmax into an Identity.
func TestGPTLogitsParity(t *testing.T) {
	m, ins := gptCase(zoo.GPTConfig{Vocab: 50, Context: 24, Layers: 2, Heads: 4, Width: 32})(t)
	mp, err := Convert(m)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range mp.Graph.Node {
		if n.OpType == "Softmax" && len(n.Output) == 1 && n.Output[0] == zoo.GPTOutput {
			n.OpType, n.Attribute, found = "Identity", nil, true
		}
	}
	if !found {
		t.Fatalf("no Softmax writes the output %q", zoo.GPTOutput)
	}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gpt_logits.onnx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	checkONNX(t, path)
	got := runORT(t, path, ins)[zoo.GPTOutput]
	tr, err := trainers.New(m)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	want, act, err := tr.PredictLogits(ins[zoo.GPTInput])
	if err != nil || act != "softmax" {
		t.Fatalf("gokeras logits: %v (activation %q)", err, act)
	}
	w := numbers(t, want)
	if len(got.Data) != len(w) {
		t.Fatalf("ONNX gives %d logits, gokeras %d", len(got.Data), len(w))
	}
	worst, span := 0.0, 0.0
	for i := range w {
		worst = math.Max(worst, math.Abs(got.Data[i]-w[i]))
		span = math.Max(span, math.Abs(w[i]))
	}
	t.Logf("logits: max abs error %.3g (largest |logit| %.3g)", worst, span)
	if worst > 1e-5*math.Max(1, span) {
		t.Errorf("logits differ by %g", worst)
	}
}
