package trainers_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// TestFitTrainsEveryRow checks that 100 rows at batch 32 train all 100 rows: row i
// is the unit vector e_i, so only row i moves weight i, and a dropped remainder
// batch would leave 4 weights at their initial value.
func TestFitTrainsEveryRow(t *testing.T) {
	const n = 100
	x := make([]float64, n*n)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		x[i*n+i] = 1
		y[i] = 1
	}
	model := layers.NewSequential(layers.Input(n), layers.Dense(1, layers.WithBias(false)))
	tr := newTrainer(t, model, trainers.WithLoss("mse"), trainers.WithOptimizer(trainers.SGD(0.1)))
	before := model.Params()[0].Float64s()
	if _, err := tr.Fit(context.Background(), dense32([]int{n, n}, x...), dense32([]int{n, 1}, y...),
		trainers.Epochs(1), trainers.BatchSize(32), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	after := model.Params()[0].Float64s()
	for i := range after {
		if after[i] == before[i] {
			t.Errorf("weight %d did not change: row %d was not trained", i, i)
		}
	}
}

// TestFitSameSeedSameWeights trains a model with dropout twice with the same seed
// (bit-identical weights) and once with another seed (different weights).
func TestFitSameSeedSameWeights(t *testing.T) {
	ds, err := datasets.Moons(200, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	train := func(seed int64) [][]float64 {
		model := layers.NewSequential(layers.Input(2), layers.Dense(16, layers.WithActivation("relu")),
			layers.Dropout(0.3), layers.Dense(1, layers.WithActivation("sigmoid")))
		tr := newTrainer(t, model, trainers.WithLoss("binary_crossentropy"), trainers.WithSeed(seed))
		if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(3), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
			t.Fatal(err)
		}
		return weights(model)
	}
	a, b, c := train(7), train(7), train(8)
	if !equalWeights(a, b) {
		t.Error("same seed gave different weights")
	}
	if equalWeights(a, c) {
		t.Error("different seeds gave the same weights")
	}
}

// TestLogitsFarApart: rows of logits that differ by 1000 give a finite float32 loss
// equal to the exact value, for softmax and for sigmoid outputs.
func TestLogitsFarApart(t *testing.T) {
	tests := []struct {
		name, loss, act string
		units           int
		kernel          []float64
		y               *tensor.Dense
		want            float64
	}{
		// logits (1000, 0, -1000); true class 2: loss 2000
		{"categorical", "categorical_crossentropy", "softmax", 3, []float64{1000, 0, -1000, 0, 0, 0}, dense32([]int{1, 3}, 0, 0, 1), 2000},
		{"sparse", "sparse_categorical_crossentropy", "softmax", 3, []float64{1000, 0, -1000, 0, 0, 0}, dense32([]int{1, 1}, 2), 2000},
		// logit 1000, target 0: loss 1000
		{"binary", "binary_crossentropy", "sigmoid", 1, []float64{1000, 0}, dense32([]int{1, 1}, 0), 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			model := layers.NewSequential(layers.Input(2), layers.Dense(tc.units, layers.WithActivation(tc.act), layers.WithBias(false)))
			tr := newTrainer(t, model, trainers.WithLoss(tc.loss))
			if err := model.Params()[0].SetFloat64s(tc.kernel); err != nil {
				t.Fatal(err)
			}
			logs, err := tr.Evaluate(context.Background(), dense32([]int{1, 2}, 1, 0), tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if l := logs["loss"]; math.IsNaN(l) || math.IsInf(l, 0) || math.Abs(l-tc.want) > 1e-3*tc.want {
				t.Errorf("loss %v, want %v", l, tc.want)
			}
		})
	}
}

func TestFitStopsWhenCancelled(t *testing.T) {
	ds, err := datasets.Linear(320, 1)
	if err != nil {
		t.Fatal(err)
	}
	model := layers.NewSequential(layers.Input(1), layers.Dense(1))
	tr := newTrainer(t, model, trainers.WithLoss("mse"))
	ctx, cancel := context.WithCancel(context.Background())
	stopper := &cancelAt{batch: 3, cancel: cancel}
	hist, err := tr.FitDataset(ctx, ds, trainers.Epochs(5), trainers.BatchSize(32), trainers.Verbose(0), trainers.Callbacks(stopper))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one wrapping context.Canceled", err)
	}
	if stopper.batches != 4 || hist == nil || len(hist.Epoch) != 0 {
		t.Errorf("ran %d batches and %v epochs after cancelling at batch 3", stopper.batches, hist)
	}
}

type cancelAt struct {
	trainers.BaseCallback
	batch, batches int
	cancel         func()
}

func (c *cancelAt) OnBatchEnd(_ *trainers.Trainer, _, batch int, _ trainers.Logs) error {
	c.batches++
	if batch == c.batch {
		c.cancel()
	}
	return nil
}

// TestPredict checks any row count, agreement of one row with a batch, and that
// dropout is off at inference.
func TestPredict(t *testing.T) {
	model := layers.NewSequential(layers.Input(3), layers.Dense(8, layers.WithActivation("tanh")), layers.Dropout(0.5), layers.Dense(2, layers.WithActivation("softmax")))
	tr := newTrainer(t, model, trainers.WithLoss("categorical_crossentropy"))
	x := dense32([]int{5, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	all, err := tr.Predict(x, trainers.BatchSize(2))
	if err != nil {
		t.Fatal(err)
	}
	if !all.Shape().Eq(tensor.Shape{5, 2}) {
		t.Fatalf("shape %v, want (5, 2)", all.Shape())
	}
	again, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	one, err := tr.Predict(dense32([]int{1, 3}, 13, 14, 15))
	if err != nil {
		t.Fatal(err)
	}
	a, b, o := all.Data().([]float32), again.Data().([]float32), one.Data().([]float32)
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			t.Errorf("prediction %d differs between runs (%v, %v): dropout on at inference?", i, a[i], b[i])
		}
	}
	for j := 0; j < 2; j++ {
		if math.Abs(float64(a[8+j]-o[j])) > 1e-6 {
			t.Errorf("row 4 alone %v, in a batch %v", o, a[8:])
		}
	}
}

// TestBadInput: every bad input is an error before training, naming what is wrong.
func TestBadInput(t *testing.T) {
	ok := func() (*tensor.Dense, *tensor.Dense) {
		return dense32([]int{4, 2}, 0, 1, 1, 0, 1, 1, 0, 0), dense32([]int{4, 1}, 1, 1, 0, 0)
	}
	nan := dense32([]int{4, 2}, 0, 1, math.NaN(), 0, 1, 1, 0, 0)
	inf := dense32([]int{4, 1}, 1, math.Inf(1), 0, 0)
	wide := dense32([]int{4, 3}, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1)
	y2 := dense32([]int{4, 2}, 1, 0, 1, 0, 0, 1, 0, 1)
	x, y := ok()
	tests := []struct {
		name  string
		model func() layers.Model
		topts []trainers.Option
		x, y  *tensor.Dense
		fopts []trainers.FitOption
		want  []string
	}{
		{"input width", nil, nil, wide, y, nil, []string{"layer 0 (input_layer)", "(2)", "(3)"}},
		{"label shape", nil, nil, x, y2, nil, []string{"binary_crossentropy", "(1)", "(2)"}},
		{"nan in x", nil, nil, nan, y, nil, []string{"NaN", "example 1"}},
		{"inf in y", nil, nil, x, inf, nil, []string{"+Inf", "example 1"}},
		{"empty", nil, nil, tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(0, 2)), tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(0, 1)), nil, []string{"empty"}},
		{"batch 0", nil, nil, x, y, []trainers.FitOption{trainers.BatchSize(0)}, []string{"batch size 0"}},
		{"batch -1", nil, nil, x, y, []trainers.FitOption{trainers.BatchSize(-1)}, []string{"batch size -1"}},
		{"split 0", nil, nil, x, y, []trainers.FitOption{trainers.ValidationSplit(0)}, []string{"validation split 0"}},
		{"split 1", nil, nil, x, y, []trainers.FitOption{trainers.ValidationSplit(1)}, []string{"validation split 1"}},
		{"split 1.5", nil, nil, x, y, []trainers.FitOption{trainers.ValidationSplit(1.5)}, []string{"validation split 1.5"}},
		{"unknown activation", func() layers.Model {
			return layers.NewSequential(layers.Input(2), layers.Dense(1, layers.WithActivation("relu6")))
		}, nil, x, y, nil, []string{"unknown activation \"relu6\"", "relu", "sigmoid", "layer 1 (dense)"}},
		{"unknown loss", nil, []trainers.Option{trainers.WithLoss("hinge")}, x, y, nil, []string{"unknown loss \"hinge\"", "binary_crossentropy"}},
		{"unknown metric", nil, []trainers.Option{trainers.WithMetrics("f1")}, x, y, nil, []string{"f1", "accuracy"}},
		{"optimizer option", nil, []trainers.Option{trainers.WithOptimizer(trainers.SGD(0.1, trainers.Beta1(0.5)))}, x, y, nil, []string{"sgd", "beta1"}},
		{"negative rate", nil, []trainers.Option{trainers.WithOptimizer(trainers.Adam(-1))}, x, y, nil, []string{"learning rate -1"}},
		{"class id", func() layers.Model {
			return layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithActivation("softmax")))
		}, []trainers.Option{trainers.WithLoss("sparse_categorical_crossentropy")}, x, dense32([]int{4, 1}, 0, 1, 2, 1), nil, []string{"target 2", "example 2", "[0, 2)"}},
		{"categorical ids", func() layers.Model {
			return layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithActivation("softmax")))
		}, []trainers.Option{trainers.WithLoss("categorical_crossentropy")}, x, y, nil, []string{"(2)", "(1)", "sparse_categorical_crossentropy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			model := layers.Model(layers.NewSequential(layers.Input(2), layers.Dense(1, layers.WithActivation("sigmoid"))))
			if tc.model != nil {
				model = tc.model()
			}
			opts := append([]trainers.Option{trainers.WithLoss("binary_crossentropy")}, tc.topts...)
			tr, err := trainers.New(model, opts...)
			if err == nil {
				_, err = tr.Fit(context.Background(), tc.x, tc.y, append([]trainers.FitOption{trainers.Verbose(0)}, tc.fopts...)...)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestOptimizerByName(t *testing.T) {
	for _, name := range trainers.OptimizerNames() {
		o, err := trainers.OptimizerByName(name, 0.01)
		if err != nil || o.Name() != name || o.LearningRate() != 0.01 {
			t.Errorf("%s: %v, %v", name, o, err)
		}
	}
	if _, err := trainers.OptimizerByName("lamb", 0.01); err == nil || !strings.Contains(err.Error(), "adam, adamw") {
		t.Errorf("unknown optimizer: error %v should list the valid names", err)
	}
}
