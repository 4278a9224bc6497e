package trainers_test

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// nextIDData makes n sequences of 6 ids in [0, 8) and, per position, the
// target (id + 1) mod 8; the last position's target is -100 (ignored).
func nextIDData(n int, seed int64) (x, y *tensor.Dense) {
	const steps, vocab = 6, 8
	rng := rand.New(rand.NewSource(seed))
	ids := make([]int64, n*steps)
	next := make([]float32, n*steps)
	for i := range ids {
		ids[i] = int64(rng.Intn(vocab))
		next[i] = float32((ids[i] + 1) % vocab)
		if i%steps == steps-1 {
			next[i] = -100
		}
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ids)),
		tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(next))
}

func nextIDTrainer(t *testing.T) *trainers.Trainer {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(6), layers.Int64)
	h := layers.Embedding(8, 8).Apply(ids)
	out := layers.Dense(8, layers.WithActivation("softmax")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithOptimizer(trainers.Adam(0.05)),
		trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"), trainers.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestSequenceTargets trains a per-position classifier with one class id per
// position (sparse_categorical_crossentropy over (steps, classes) outputs),
// ignoring the positions whose target is negative.
func TestSequenceTargets(t *testing.T) {
	tr := nextIDTrainer(t)
	x, y := nextIDData(256, 1)
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(15), trainers.BatchSize(32)); err != nil {
		t.Fatal(err)
	}
	xt, yt := nextIDData(64, 2)
	logs, err := tr.Evaluate(context.Background(), xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	if logs["accuracy"] < 0.99 || logs["loss"] > 0.2 {
		t.Errorf("held-out logs %v, want accuracy >= 0.99 and loss <= 0.2", logs)
	}
	pred, err := tr.Predict(xt)
	if err != nil {
		t.Fatal(err)
	}
	if s := pred.Shape(); len(s) != 3 || s[0] != 64 || s[1] != 6 || s[2] != 8 {
		t.Errorf("prediction shape %v, want (64, 6, 8)", s)
	}
}

func TestSequenceTargetErrors(t *testing.T) {
	x, _ := nextIDData(8, 3)
	tests := []struct {
		name string
		y    *tensor.Dense
		want string
	}{
		{"one id per example", tensor.New(tensor.WithShape(8, 1), tensor.WithBacking(make([]float32, 8))), "one class id per position"},
		{"id out of range", targetsWith(0, 8), "target 8 of example 0 is not a class id in [0, 8) or negative (ignored)"},
		{"fractional id", targetsWith(7, 0.5), "target 0.5 of example 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nextIDTrainer(t).Fit(context.Background(), x, tc.y, trainers.Epochs(1))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// targetsWith returns (8, 6) zero targets with v at flat index i.
func targetsWith(i int, v float32) *tensor.Dense {
	data := make([]float32, 48)
	data[i] = v
	return tensor.New(tensor.WithShape(8, 6), tensor.WithBacking(data))
}
