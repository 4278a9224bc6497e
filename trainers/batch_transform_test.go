package trainers_test

import (
	"context"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// transformData is 40 rows of 5 features and 3 classes.
func transformData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(5))
	xs, ys := make([]float32, 40*5), make([]float32, 40)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	for i := range ys {
		ys[i] = float32(i % 3)
	}
	return tensor.New(tensor.WithShape(40, 5), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(40, 1), tensor.WithBacking(ys))
}

// fitWith trains the dense test model on (x, y) for 3 epochs of batches of 16
// with the trainer options topts and fit options fopts, and returns its
// predictions on transformData's inputs.
func fitWith(t *testing.T, x, y *tensor.Dense, topts []trainers.Option, fopts ...trainers.FitOption) []float32 {
	t.Helper()
	m := layers.NewSequential(layers.Input(5),
		layers.Dense(7, layers.WithActivation("tanh")),
		layers.Dense(3, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, append([]trainers.Option{trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.05)), trainers.WithSeed(9), trainers.WithOutput(io.Discard)}, topts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), x, y, append([]trainers.FitOption{trainers.Epochs(3), trainers.BatchSize(16), trainers.Verbose(0)}, fopts...)...); err != nil {
		t.Fatal(err)
	}
	probe, _ := transformData()
	p, err := tr.Predict(probe)
	if err != nil {
		t.Fatal(err)
	}
	return p.Data().([]float32)
}

// TestBatchTransformDoubles: a transform that doubles every input trains the
// model bit for bit as training on the doubled data does, and leaves the data it
// was given alone.
func TestBatchTransformDoubles(t *testing.T) {
	x, y := transformData()
	orig := append([]float32(nil), x.Data().([]float32)...)
	double := func(_ *trainers.Trainer, b *trainers.Batch) error {
		v := b.Inputs[0].Data().([]float32)
		for i := range v {
			v[i] *= 2
		}
		return nil
	}
	got := fitWith(t, x, y, nil, trainers.BatchTransform(double))
	for i, v := range x.Data().([]float32) {
		if v != orig[i] {
			t.Fatal("the transform changed the caller's data")
		}
	}
	x2 := x.Clone().(*tensor.Dense)
	for i, v := range x2.Data().([]float32) {
		x2.Data().([]float32)[i] = 2 * v
	}
	want := fitWith(t, x2, y, nil)
	plain := fitWith(t, x, y, nil)
	same, samePlain := true, true
	for i := range want {
		same = same && got[i] == want[i]
		samePlain = samePlain && got[i] == plain[i]
	}
	if !same {
		t.Error("training with the doubling transform differs from training on doubled data")
	}
	if samePlain {
		t.Error("the transform had no effect")
	}
}

// TestBatchTransformBatches: the transform sees every batch once, in order,
// with seeds that repeat on a rerun and differ between batches.
func TestBatchTransformBatches(t *testing.T) {
	x, y := transformData()
	record := func(log *[]trainers.Batch) trainers.BatchTransformFunc {
		return func(_ *trainers.Trainer, b *trainers.Batch) error {
			*log = append(*log, trainers.Batch{Epoch: b.Epoch, Index: b.Index, Seed: b.Seed})
			if rows := b.Inputs[0].Shape()[0]; rows != 16 && rows != 8 || b.Targets[0].Shape()[0] != rows {
				return errors.Errorf("batch of %d rows, targets %v", rows, b.Targets[0].Shape())
			}
			return nil
		}
	}
	var first, second []trainers.Batch
	fitWith(t, x, y, nil, trainers.BatchTransform(record(&first)))
	fitWith(t, x, y, nil, trainers.BatchTransform(record(&second)))
	if len(first) != 9 { // 3 epochs of 16+16+8 rows
		t.Fatalf("%d batches transformed, want 9", len(first))
	}
	seeds := map[int64]bool{}
	for i, b := range first {
		if r := second[i]; b.Epoch != i/3 || b.Index != i%3 || b.Epoch != r.Epoch || b.Index != r.Index || b.Seed != r.Seed {
			t.Errorf("batch %d: %+v, rerun %+v", i, b, second[i])
		}
		seeds[b.Seed] = true
	}
	if len(seeds) != 9 {
		t.Errorf("%d distinct seeds in 9 batches", len(seeds))
	}
}

// TestBatchTransformInputGradients: a transform may differentiate the model
// (as adversarial training does) and trains the same with a program cache of
// one, where the input-gradient programs compete with the training programs.
func TestBatchTransformInputGradients(t *testing.T) {
	x, y := transformData()
	fgsm := func(tr *trainers.Trainer, b *trainers.Batch) error {
		g, err := tr.InputGradients(b.Inputs[0], trainers.LossTarget(b.Targets[0]), trainers.BatchSize(16))
		if err != nil {
			return err
		}
		v, gv := b.Inputs[0].Data().([]float32), g.Data().([]float32)
		for i := range v {
			switch {
			case gv[i] > 0:
				v[i] += 0.1
			case gv[i] < 0:
				v[i] -= 0.1
			}
		}
		return nil
	}
	want := fitWith(t, x, y, nil, trainers.BatchTransform(fgsm))
	got := fitWith(t, x, y, []trainers.Option{trainers.WithProgramCacheSize(1)}, trainers.BatchTransform(fgsm))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("with a cache of one program, prediction %d is %v, want %v", i, got[i], want[i])
		}
	}
}

func TestBatchTransformErrors(t *testing.T) {
	x, y := transformData()
	m := layers.NewSequential(layers.Input(5), layers.Dense(3, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	fail := func(_ *trainers.Trainer, b *trainers.Batch) error {
		if b.Index == 1 {
			return errors.New("boom")
		}
		return nil
	}
	_, err = tr.Fit(context.Background(), x, y, trainers.BatchSize(16), trainers.Verbose(0), trainers.BatchTransform(fail))
	if err == nil || !strings.Contains(err.Error(), "epoch 0 batch 1: batch transform: boom") {
		t.Errorf("Fit: %v", err)
	}
	_, err = tr.Evaluate(context.Background(), x, y, trainers.BatchTransform(fail))
	if err == nil || !strings.Contains(err.Error(), "does not take the option batch_transform") {
		t.Errorf("Evaluate: %v", err)
	}
}
