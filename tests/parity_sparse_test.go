package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// paritySparseFixture is tests/testdata/torch_sparse/sparse.json (see its
// make_fixtures.py and README.md).
type paritySparseFixture struct {
	Torch   string                 `json:"torch"`
	Init    map[string]parityArray `json:"init"`
	Batches []struct {
		F0 []int64     `json:"f0"`
		F1 []int64     `json:"f1"`
		F2 []int64     `json:"f2"`
		Y  parityArray `json:"y"`
	} `json:"batches"`
	Cases []struct {
		Name               string                       `json:"name"`
		Optimizer          string                       `json:"optimizer"`
		LR                 float64                      `json:"lr"`
		Beta1              float64                      `json:"beta1"`
		Beta2              float64                      `json:"beta2"`
		Eps                float64                      `json:"eps"`
		InitialAccumulator float64                      `json:"initial_accumulator"`
		Steps              []map[string]json.RawMessage `json:"steps"`
	} `json:"cases"`
}

// paritySparseParams maps fixture names to the model's weight names.
var paritySparseParams = map[string]string{
	"emb_a": "emb_a/embeddings", "emb_b": "emb_b/embeddings",
	"h_kernel": "h/kernel", "h_bias": "h/bias", "out_kernel": "out/kernel", "out_bias": "out/bias",
}

// paritySparseModel: f0 and f1 share Embedding emb_a (20, 4), f2 reads emb_b (12, 3);
// concatenated (11) -> Dense(6, tanh) "h" -> Dense(1) "out".
func paritySparseModel(t *testing.T) *layers.Functional {
	t.Helper()
	f0 := layers.NewInput("f0", layers.Shape(1), layers.Int64)
	f1 := layers.NewInput("f1", layers.Shape(1), layers.Int64)
	f2 := layers.NewInput("f2", layers.Shape(1), layers.Int64)
	ea := layers.Embedding(20, 4, layers.WithName("emb_a"))
	eb := layers.Embedding(12, 3, layers.WithName("emb_b"))
	z := layers.Concatenate(-1).Apply(layers.Flatten().Apply(ea.Apply(f0)), layers.Flatten().Apply(ea.Apply(f1)), layers.Flatten().Apply(eb.Apply(f2)))
	h := layers.Dense(6, layers.WithActivation("tanh"), layers.WithName("h")).Apply(z)
	out := layers.Dense(1, layers.WithName("out")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{f0, f1, f2}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	return m
}

// paritySnapshot records every weight after each batch.
type paritySnapshot struct {
	trainers.BaseCallback
	params map[string]*graph.Param
	steps  []map[string][]float64
}

func (s *paritySnapshot) OnBatchEnd(*trainers.Trainer, int, int, trainers.Logs) error {
	snap := map[string][]float64{}
	for k, p := range s.params {
		snap[k] = p.Float64s()
	}
	s.steps = append(s.steps, snap)
	return nil
}

// TestParitySparseEmbeddings: a model whose Embedding tables are updated by rows
// (one table read by two fields, repeated ids in a batch, rows absent from some or
// all batches) trained by gokeras' SGD, Adam (LazyAdam for the tables) and AdaGrad
// gives, after every step, the weights PyTorch 1.13 gives with
// nn.Embedding(sparse=True) and SGD, SparseAdam (+ Adam for the dense weights) and
// Adagrad (tolerance 1e-5·max(1, |want|)). Rows never looked up keep their initial
// values bit for bit.
func TestParitySparseEmbeddings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_sparse", "sparse.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix paritySparseFixture
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fix.Cases) != 3 || len(fix.Batches) != 6 {
		t.Fatalf("fixture has %d cases and %d batches, want 3 and 6", len(fix.Cases), len(fix.Batches))
	}
	// The batches, one after the other: Fit without shuffling at batch 8 runs them in order.
	var f0, f1, f2 []int64
	var y []float32
	for _, bt := range fix.Batches {
		f0, f1, f2 = append(f0, bt.F0...), append(f1, bt.F1...), append(f2, bt.F2...)
		for _, v := range bt.Y.Data {
			y = append(y, float32(v))
		}
	}
	n := len(y)
	col := func(v []int64) *tensor.Dense { return tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(v)) }
	x := map[string]*tensor.Dense{"f0": col(f0), "f1": col(f1), "f2": col(f2)}
	ys := map[string]*tensor.Dense{"out": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))}
	used := map[string]map[int]bool{"emb_a": {}, "emb_b": {}}
	for i := range f0 {
		used["emb_a"][int(f0[i])], used["emb_a"][int(f1[i])], used["emb_b"][int(f2[i])] = true, true, true
	}
	var worst parityMax
	for _, c := range fix.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var opt trainers.Optimizer
			switch c.Optimizer {
			case "sgd":
				opt = trainers.SGD(c.LR)
			case "sparse_adam":
				opt = trainers.Adam(c.LR, trainers.Beta1(c.Beta1), trainers.Beta2(c.Beta2), trainers.Epsilon(c.Eps))
			case "adagrad":
				opt = trainers.AdaGrad(c.LR, trainers.InitialAccumulator(c.InitialAccumulator), trainers.Epsilon(c.Eps))
			default:
				t.Fatalf("unknown optimizer %q", c.Optimizer)
			}
			m := paritySparseModel(t)
			snap := &paritySnapshot{params: map[string]*graph.Param{}}
			byName := map[string]*graph.Param{}
			for _, p := range m.Params() {
				byName[p.Name] = p
			}
			for k, name := range paritySparseParams {
				p, ok := byName[name]
				if !ok {
					t.Fatalf("the model has no weight %s", name)
				}
				init := fix.Init[k]
				parityCheckArray(t, c.Name, "init/"+k, init)
				parityFill(t, c.Name, "init/"+k, p.Value, init.Data)
				snap.params[k] = p
			}
			tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOptimizer(opt), trainers.WithOutput(&bytes.Buffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if !tr.SparseEmbeddingUpdates() {
				t.Fatal("the trainer does not update the tables by rows")
			}
			if _, err := tr.FitNamed(context.Background(), x, ys, trainers.BatchSize(8), trainers.Shuffle(false), trainers.Verbose(0), trainers.Callbacks(snap)); err != nil {
				t.Fatal(err)
			}
			if len(snap.steps) != len(c.Steps) {
				t.Fatalf("%d steps run, the fixture has %d", len(snap.steps), len(c.Steps))
			}
			for s, want := range c.Steps {
				for k := range paritySparseParams {
					var w parityArray
					if err := json.Unmarshal(want[k], &w); err != nil {
						t.Fatalf("step %d %s: %v", s, k, err)
					}
					what := fmt.Sprintf("step %d %s", s+1, k)
					worst.add(parityCompare(t, c.Name, what, snap.steps[s][k], w.Data), c.Name+"/"+what)
				}
			}
			for k, rows := range used {
				init, got := fix.Init[k], snap.steps[len(snap.steps)-1][k]
				d := init.Shape[1]
				for i, v := range init.Data {
					if !rows[i/d] && float64(float32(v)) != got[i] {
						t.Errorf("%s row %d, never looked up, changed from %v to %v", k, i/d, float32(v), got[i])
					}
				}
			}
		})
	}
	worst.report(t, "torch_sparse/sparse.json ("+fix.Torch+")")
}
