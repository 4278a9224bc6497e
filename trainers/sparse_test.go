package trainers_test

import (
	"bytes"
	"context"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// embModel is ids (fields) -> Embedding(vocab, 4) -> Flatten -> Dense(8, tanh) ->
// Dense(1, sigmoid) named "out".
func embModel(t *testing.T, vocab, fields int) *layers.Functional {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(fields), layers.Int64)
	e := layers.Flatten().Apply(layers.Embedding(vocab, 4, layers.WithName("emb")).Apply(ids))
	h := layers.Dense(8, layers.WithActivation("tanh")).Apply(e)
	out := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("out")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// embData makes n examples of fields ids drawn from the even ids below vocab only
// (odd rows are never looked up), labelled by a fixed rule.
func embData(n, vocab, fields int, seed int64) (x, y map[string]*tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	ids := make([]int64, n*fields)
	lab := make([]float32, n)
	for i := 0; i < n; i++ {
		s := int64(0)
		for j := 0; j < fields; j++ {
			id := int64(2 * rng.Intn(vocab/2))
			ids[i*fields+j] = id
			s += id
		}
		if s%3 == 0 {
			lab[i] = 1
		}
	}
	return map[string]*tensor.Dense{"ids": tensor.New(tensor.WithShape(n, fields), tensor.WithBacking(ids))},
		map[string]*tensor.Dense{"out": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(lab))}
}

func tableOf(t *testing.T, m layers.Model) []float64 {
	t.Helper()
	for _, p := range m.Params() {
		if p.Name == "emb/embeddings" {
			return p.Float64s()
		}
	}
	t.Fatal("no embedding table")
	return nil
}

func sparseOptimizers() map[string]func() trainers.Optimizer {
	return map[string]func() trainers.Optimizer{
		"sgd":      func() trainers.Optimizer { return trainers.SGD(0.1) },
		"momentum": func() trainers.Optimizer { return trainers.SGD(0.05, trainers.Momentum(0.9), trainers.Nesterov()) },
		"adam":     func() trainers.Optimizer { return trainers.Adam(0.01) },
		"amsgrad":  func() trainers.Optimizer { return trainers.Adam(0.01, trainers.AMSGrad(), trainers.ClipNorm(0.5)) },
		"adamw":    func() trainers.Optimizer { return trainers.AdamW(0.01, trainers.GlobalClipNorm(1)) },
		"adagrad":  func() trainers.Optimizer { return trainers.AdaGrad(0.05) },
		"rmsprop":  func() trainers.Optimizer { return trainers.RMSProp(0.01, trainers.Momentum(0.5)) },
	}
}

// TestSparseUntouchedRowsAreBitIdentical: with updates by rows (the default), the
// rows of a table that no batch looks up keep their initial values bit for bit,
// with every optimizer (AdamW's decay included), while the rows looked up move.
// With WithDenseEmbeddingUpdates, AdamW's decay moves them.
func TestSparseUntouchedRowsAreBitIdentical(t *testing.T) {
	const vocab, fields = 40, 3
	x, y := embData(96, vocab, fields, 1)
	for name, mk := range sparseOptimizers() {
		t.Run(name, func(t *testing.T) {
			m := embModel(t, vocab, fields)
			tr := newTrainer(t, m, trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(mk()), trainers.WithSeed(4))
			if !tr.SparseEmbeddingUpdates() {
				t.Fatal("updates by rows are not the default")
			}
			before := tableOf(t, m)
			if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(3), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			after := tableOf(t, m)
			moved := 0
			for i := range before {
				row := i / 4
				if row%2 == 1 && after[i] != before[i] {
					t.Fatalf("row %d, never looked up, changed from %v to %v", row, before[i], after[i])
				}
				if row%2 == 0 && after[i] != before[i] {
					moved++
				}
			}
			if moved == 0 {
				t.Fatal("no looked-up row moved")
			}
		})
	}
	m := embModel(t, vocab, fields)
	tr := newTrainer(t, m, trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.AdamW(0.01)), trainers.WithSeed(4), trainers.WithDenseEmbeddingUpdates())
	if tr.SparseEmbeddingUpdates() {
		t.Fatal("WithDenseEmbeddingUpdates left updates by rows on")
	}
	before := tableOf(t, m)
	if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(1), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if after := tableOf(t, m); after[4] == before[4] {
		t.Error("dense AdamW left a row never looked up undecayed")
	}
}

// TestSparseSGDEqualsDense: plain SGD gives the same weights, bit for bit, with
// updates by rows and with dense updates, in float32 and float64 (the batch of
// 16 examples of 3 fields repeats ids, and the last batch is partial).
func TestSparseSGDEqualsDense(t *testing.T) {
	const vocab, fields = 40, 3
	x, y := embData(100, vocab, fields, 2)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		run := func(opts ...trainers.Option) [][]float64 {
			m := embModel(t, vocab, fields)
			tr := newTrainer(t, m, append([]trainers.Option{trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.SGD(0.2)), trainers.WithSeed(5), trainers.WithDType(dt)}, opts...)...)
			if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(4), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			return weights(m)
		}
		sparse, dense := run(), run(trainers.WithDenseEmbeddingUpdates())
		if !equalWeights(sparse, dense) {
			for i := range sparse {
				for j := range sparse[i] {
					if sparse[i][j] != dense[i][j] {
						t.Fatalf("%v: param %d value %d: %v by rows, %v dense", dt, i, j, sparse[i][j], dense[i][j])
					}
				}
			}
		}
		if init := embModel(t, vocab, fields); init.Build(layers.WithSeed(5), layers.WithDType(dt)) == nil && equalWeights(weights(init), sparse) {
			t.Fatalf("%v: training changed nothing", dt)
		}
	}
}

// TestSparseResumeIsExact: with updates by rows, 2 epochs, save, load, 2 more
// epochs gives the weights of 4 epochs straight, bit for bit (the lazy optimizer
// state is saved by rows and read back).
func TestSparseResumeIsExact(t *testing.T) {
	const vocab, fields = 60, 2
	x, y := embData(80, vocab, fields, 3)
	for name, mk := range sparseOptimizers() {
		t.Run(name, func(t *testing.T) {
			fit := func(tr *trainers.Trainer, from, to int) {
				if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(to), trainers.InitialEpoch(from), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
					t.Fatal(err)
				}
			}
			straight := newTrainer(t, embModel(t, vocab, fields), trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(mk()), trainers.WithSeed(6))
			fit(straight, 0, 4)
			first := newTrainer(t, embModel(t, vocab, fields), trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(mk()), trainers.WithSeed(6))
			fit(first, 0, 2)
			path := filepath.Join(t.TempDir(), "ckpt.safetensors")
			if err := first.Save(path); err != nil {
				t.Fatal(err)
			}
			resumed, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if !resumed.SparseEmbeddingUpdates() {
				t.Fatal("the loaded trainer does not update by rows")
			}
			fit(resumed, resumed.Epoch(), 4)
			if !equalWeights(weights(straight.Model()), weights(resumed.Model())) {
				t.Error("resumed training differs from training straight through")
			}
		})
	}
}

// TestSparseAndDenseStateFilesCross: a trainer saved with dense updates loads with
// them (and its dense state trains by rows when asked); one saved by rows trains
// densely when asked; both keep training.
func TestSparseAndDenseStateFilesCross(t *testing.T) {
	const vocab, fields = 30, 2
	x, y := embData(64, vocab, fields, 4)
	fit := func(tr *trainers.Trainer, from, to int) {
		if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(to), trainers.InitialEpoch(from), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dense := range []bool{true, false} {
		opts := []trainers.Option{trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.Adam(0.01)), trainers.WithSeed(7)}
		if dense {
			opts = append(opts, trainers.WithDenseEmbeddingUpdates())
		}
		tr := newTrainer(t, embModel(t, vocab, fields), opts...)
		fit(tr, 0, 1)
		path := filepath.Join(t.TempDir(), "ckpt.safetensors")
		if err := tr.Save(path); err != nil {
			t.Fatal(err)
		}
		same, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}))
		if err != nil {
			t.Fatal(err)
		}
		if same.SparseEmbeddingUpdates() == dense {
			t.Fatalf("saved dense=%v, loaded by rows=%v", dense, same.SparseEmbeddingUpdates())
		}
		flip := trainers.WithSparseEmbeddingUpdates()
		if !dense {
			flip = trainers.WithDenseEmbeddingUpdates()
		}
		other, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}), flip)
		if err != nil {
			t.Fatal(err)
		}
		if other.SparseEmbeddingUpdates() != dense {
			t.Fatalf("saved dense=%v, loaded with the other option: by rows=%v", dense, other.SparseEmbeddingUpdates())
		}
		fit(same, 1, 3)
		fit(other, 1, 3)
		// Save again, in the other layout, and load once more.
		path2 := filepath.Join(t.TempDir(), "again.safetensors")
		if err := other.Save(path2); err != nil {
			t.Fatal(err)
		}
		if _, err := trainers.Load(path2, trainers.WithOutput(&bytes.Buffer{})); err != nil {
			t.Fatal(err)
		}
	}
}
