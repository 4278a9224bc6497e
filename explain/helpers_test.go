package explain_test

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

// digitsModel is a small MLP trained on the 8x8 digits (raw pixel counts 0..16,
// standardized by its Normalization layer), with the test part.
type digitsModel struct {
	tr     *trainers.Trainer
	testX  *tensor.Dense // (360, 64) float64
	labels []int
	acc    float64
}

var (
	digitsMu sync.Mutex
	digits   = map[string]*digitsModel{}
)

// trainedDigits returns the digits MLP of the given hidden activation ("tanh"
// unless the test is about another), trained once per test binary.
func trainedDigits(t *testing.T, act ...string) *digitsModel {
	t.Helper()
	a := "tanh"
	if len(act) > 0 {
		a = act[0]
	}
	digitsMu.Lock()
	defer digitsMu.Unlock()
	if d, ok := digits[a]; ok {
		return d
	}
	d, err := trainDigits(a)
	if err != nil {
		t.Fatal(err)
	}
	digits[a] = d
	return d
}

func trainDigits(act string) (*digitsModel, error) {
	s, err := datasets.Digits()
	if err != nil {
		return nil, err
	}
	norm := layers.Normalization()
	if err := norm.Adapt(s.Train.X()); err != nil {
		return nil, err
	}
	m := layers.NewSequential(layers.Input(64), norm,
		layers.Dense(32, layers.WithActivation(act)),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if _, err := tr.Fit(ctx, s.Train.X(), s.Train.Y(), trainers.Epochs(15), trainers.Verbose(0)); err != nil {
		return nil, err
	}
	logs, err := tr.Evaluate(ctx, s.Test.X(), s.Test.Y(), trainers.Verbose(0))
	if err != nil {
		return nil, err
	}
	ys := s.Test.Y().Data().([]float64)
	labels := make([]int, len(ys))
	for i, v := range ys {
		labels[i] = int(v)
	}
	return &digitsModel{tr: tr, testX: s.Test.X(), labels: labels, acc: logs["accuracy"]}, nil
}

// firstRows is rows [0, n) of x (N, d) float64.
func firstRows(x *tensor.Dense, n int) *tensor.Dense {
	d := x.Shape()[1]
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(append([]float64(nil), x.Data().([]float64)[:n*d]...)))
}
