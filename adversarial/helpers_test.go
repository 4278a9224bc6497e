package adversarial_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// digitsModel is a small MLP trained on the 8x8 digits scaled to [0, 1], with
// the first rows of the test split.
type digitsModel struct {
	tr *trainers.Trainer
	x  *tensor.Dense // (n, 64) float64 in [0, 1]
	y  *tensor.Dense // (n) class ids
}

var (
	digitsOnce sync.Once
	shared     *digitsModel
	digitsErr  error
)

// testRows is how many test rows the attacks run on: enough for accuracies to
// mean something, few enough for the tests to stay fast.
const testRows = 60

// trainedDigits returns the digits MLP, trained once per test binary (about a
// second).
func trainedDigits(t *testing.T) *digitsModel {
	t.Helper()
	digitsOnce.Do(func() { shared, digitsErr = trainDigits() })
	if digitsErr != nil {
		t.Fatal(digitsErr)
	}
	return shared
}

func scaled(x *tensor.Dense, n int) *tensor.Dense {
	v := x.Data().([]float64)
	d := x.Shape()[1]
	out := make([]float64, n*d)
	for i := range out {
		out[i] = v[i] / 16
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(out))
}

func trainDigits() (*digitsModel, error) {
	s, err := datasets.Digits()
	if err != nil {
		return nil, err
	}
	m := layers.NewSequential(layers.Input(64),
		layers.Dense(32, layers.WithActivation("tanh")),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(1),
		trainers.WithOutput(io.Discard), trainers.WithOptimizer(trainers.Adam(0.01)))
	if err != nil {
		return nil, err
	}
	n := s.Train.X().Shape()[0]
	if _, err := tr.Fit(context.Background(), scaled(s.Train.X(), n), s.Train.Y(), trainers.Epochs(15), trainers.Verbose(0)); err != nil {
		return nil, err
	}
	ys := s.Test.Y().Data().([]float64)[:testRows]
	y := tensor.New(tensor.WithShape(testRows), tensor.WithBacking(append([]float64(nil), ys...)))
	return &digitsModel{tr: tr, x: scaled(s.Test.X(), testRows), y: y}, nil
}

// logistic returns a trainer for logistic regression on 3 features, float64:
// p(class 1) = sigmoid(w·x + b), binary cross-entropy.
func logistic(t testing.TB, w []float64, b float64) *trainers.Trainer {
	t.Helper()
	m := layers.NewSequential(layers.Input(len(w)), layers.Dense(1, layers.WithActivation("sigmoid")))
	tr, err := trainers.New(m, trainers.WithLoss("binary_crossentropy"), trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	if err := ps[0].SetFloat64s(w); err != nil {
		t.Fatal(err)
	}
	if err := ps[1].SetFloat64s([]float64{b}); err != nil {
		t.Fatal(err)
	}
	return tr
}
