package audit_test

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/audit"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

func TestLossAttack(t *testing.T) {
	cases := []struct {
		name             string
		in, out          []float64
		auc, adv, thresh float64
	}{
		{"separated", []float64{0.1, 0.2}, []float64{1, 2, 3}, 1, 1, 0.2},
		{"reversed", []float64{5, 6}, []float64{1, 2}, 0, 0, math.Inf(-1)},
		{"interleaved", []float64{1, 3}, []float64{2, 4}, 0.75, 0.5, 1},
		{"ties", []float64{1, 1}, []float64{1, 1}, 0.5, 0, math.Inf(-1)},
		{"one tie", []float64{1, 2}, []float64{2, 3}, 0.875, 0.5, 1},
	}
	for _, c := range cases {
		r, err := audit.LossAttack(c.in, c.out)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if math.Abs(r.AUC-c.auc) > 1e-12 || math.Abs(r.Advantage-c.adv) > 1e-12 || r.Threshold != c.thresh {
			t.Errorf("%s: AUC %v, advantage %v at %v; want %v, %v at %v", c.name, r.AUC, r.Advantage, r.Threshold, c.auc, c.adv, c.thresh)
		}
	}
	for _, bad := range [][2][]float64{{nil, {1}}, {{1}, nil}, {{math.NaN()}, {1}}, {{1}, {math.Inf(1)}}} {
		if _, err := audit.LossAttack(bad[0], bad[1]); err == nil {
			t.Errorf("LossAttack(%v, %v): no error", bad[0], bad[1])
		}
	}
}

// digitsTrainer trains a float64 softmax MLP on the first rows of the digits' training
// split for the given epochs (many epochs on few rows overfits).
func digitsTrainer(t *testing.T, s *datasets.Split, rows, epochs int) *trainers.Trainer {
	t.Helper()
	mean, variance := make([]float64, 64), make([]float64, 64)
	for i := range variance {
		variance[i] = 256 // counts 0..16 to 0..1
	}
	m := layers.NewSequential(layers.Input(64),
		layers.Normalization(layers.WithMeanVariance(mean, variance)),
		layers.Dense(64, layers.WithActivation("relu")),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOptimizer(trainers.Adam(0.01)),
		trainers.WithSeed(3), trainers.WithDType(tensor.Float64), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	x, y := head(s.Train, 0, rows)
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(epochs), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	return tr
}

// head returns rows [from, to) of a data set.
func head(d *datasets.Tensor, from, to int) (x, y *tensor.Dense) {
	xs, ys := d.X().Data().([]float64), d.Y().Data().([]float64)
	per := len(xs) / d.Len()
	return tensor.New(tensor.WithShape(to-from, per), tensor.WithBacking(append([]float64(nil), xs[from*per:to*per]...))),
		tensor.New(tensor.WithShape(to-from, 1), tensor.WithBacking(append([]float64(nil), ys[from:to]...)))
}

// TestMembershipInference: rows a model never saw score an AUC near 0.5 against
// other unseen rows, while an overfit model's training rows stand out.
func TestMembershipInference(t *testing.T) {
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	overfit := digitsTrainer(t, s, 150, 150)
	xIn, yIn := head(s.Train, 0, 150)
	xOut, yOut := head(s.Test, 0, 150)
	r, err := audit.MembershipInference(overfit, xIn, yIn, xOut, yOut)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("overfit: AUC %.3f, advantage %.3f, losses %.4f vs %.4f", r.AUC, r.Advantage, r.MemberLoss, r.NonMemberLoss)
	// Measured: AUC 0.609, advantage 0.320 (confident non-members have tiny
	// losses too, so the AUC stays modest; the advantage shows the leak).
	if r.AUC < 0.57 || r.Advantage < 0.25 || r.MemberLoss >= r.NonMemberLoss {
		t.Errorf("overfit model: AUC %.3f, advantage %.3f; want the members to stand out (AUC >= 0.57, advantage >= 0.25)", r.AUC, r.Advantage)
	}
	// Neither set was seen: rows 150.. of the training split against the test split.
	xA, yA := head(s.Train, 150, 450)
	xB, yB := head(s.Test, 60, 360)
	r, err = audit.MembershipInference(overfit, xA, yA, xB, yB)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("unseen vs unseen: AUC %.3f, advantage %.3f", r.AUC, r.Advantage)
	if math.Abs(r.AUC-0.5) > 0.07 || r.Advantage > 0.15 {
		t.Errorf("two sets the model never saw: AUC %.3f, advantage %.3f; want 0.5 ± 0.07 and at most 0.15", r.AUC, r.Advantage)
	}
}

// TestExampleLossesMatchEvaluate: the mean of the per-row losses is the loss
// Evaluate computes in the graph, for each loss ExampleLosses knows.
func TestExampleLossesMatchEvaluate(t *testing.T) {
	x := tensor.New(tensor.WithShape(6, 3), tensor.WithBacking([]float64{0.1, -1, 2, 0.5, 0.3, -0.2, 1, 1, 1, -2, 0.4, 0.9, 0.3, 0.3, -0.7, 1.5, -0.5, 0}))
	cases := []struct {
		loss, act string
		y         *tensor.Dense
	}{
		{"mse", "linear", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{1, 0, 0.5, 2, -1, 1, 0, 0, 3, 1, 2, -2}))},
		{"mae", "linear", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{1, 0, 0.5, 2, -1, 1, 0, 0, 3, 1, 2, -2}))},
		{"huber", "linear", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{1, 0, 0.5, 2, -1, 1, 0, 0, 3, 1, 2, -2}))},
		{"binary_crossentropy", "sigmoid", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1}))},
		{"categorical_crossentropy", "softmax", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1}))},
		{"sparse_categorical_crossentropy", "softmax", tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]float64{0, 1, 0, 1, 0, 1}))},
	}
	for _, c := range cases {
		m := layers.NewSequential(layers.Input(3), layers.Dense(2, layers.WithActivation(c.act)))
		tr, err := trainers.New(m, trainers.WithLoss(c.loss), trainers.WithDType(tensor.Float64), trainers.WithSeed(5), trainers.WithOutput(io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		losses, err := audit.ExampleLosses(tr, x, c.y)
		if err != nil {
			t.Fatalf("%s: %v", c.loss, err)
		}
		logs, err := tr.Evaluate(context.Background(), x, c.y, trainers.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for _, v := range losses {
			mean += v / float64(len(losses))
		}
		if math.Abs(mean-logs["loss"]) > 1e-9*math.Max(1, math.Abs(mean)) {
			t.Errorf("%s: mean of the row losses %.12f, Evaluate %.12f", c.loss, mean, logs["loss"])
		}
	}
}

func TestExampleLossesErrors(t *testing.T) {
	m := layers.NewSequential(layers.Input(2), layers.Dense(3, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))
	noLoss, err := trainers.New(layers.NewSequential(layers.Input(2), layers.Dense(3)), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tr   *trainers.Trainer
		y    *tensor.Dense
		want string
	}{
		{tr, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0, 3})), "row 1: target [3]: want one class id in [0, 3)"},
		{tr, tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{0, 1, 2})), "want 2 rows"},
		{noLoss, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0, 1})), "give it a loss by name"},
	} {
		if _, err := audit.ExampleLosses(c.tr, x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
