package audit_test

import (
	"context"
	"io"
	"testing"

	"github.com/gokeras/gokeras/audit"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestDPSGDLeaksLess trains the same MLP on the same 300 digits twice, plainly
// (for many epochs: it overfits) and with DP-SGD, and runs the membership
// attack on both: the DP model's members must stand out less.
func TestDPSGDLeaksLess(t *testing.T) {
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	const rows = 300
	x, y := head(s.Train, 0, rows)
	xOut, yOut := head(s.Test, 0, rows)
	train := func(dp *trainers.DPSGDOption) *trainers.Trainer {
		mean, variance := make([]float64, 64), make([]float64, 64)
		for i := range variance {
			variance[i] = 256
		}
		m := layers.NewSequential(layers.Input(64),
			layers.Normalization(layers.WithMeanVariance(mean, variance)),
			layers.Dense(64, layers.WithActivation("tanh")),
			layers.Dense(10, layers.WithActivation("softmax")))
		opt := trainers.Adam(0.01)
		if dp != nil {
			opt = trainers.SGD(0.5)
		}
		tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOptimizer(opt),
			trainers.WithMetrics("accuracy"), trainers.WithSeed(7), trainers.WithDType(tensor.Float64), trainers.WithOutput(io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		opts := []trainers.FitOption{trainers.Epochs(80), trainers.BatchSize(30), trainers.Verbose(0)}
		if dp != nil {
			opts = append(opts, dp)
		}
		if _, err := tr.Fit(context.Background(), x, y, opts...); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	plain := train(nil)
	dp := trainers.DPSGD(1, 2.0)
	private := train(dp)
	spent, err := dp.Spent(1e-5)
	if err != nil {
		t.Fatal(err)
	}
	var res [2]*audit.MembershipResult
	for i, tr := range []*trainers.Trainer{plain, private} {
		if res[i], err = audit.MembershipInference(tr, x, y, xOut, yOut); err != nil {
			t.Fatal(err)
		}
	}
	acc := func(tr *trainers.Trainer) float64 {
		logs, err := tr.Evaluate(context.Background(), xOut, yOut, trainers.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		return logs["accuracy"]
	}
	t.Logf("plain: AUC %.3f, advantage %.3f, test accuracy %.3f", res[0].AUC, res[0].Advantage, acc(plain))
	t.Logf("DP-SGD (epsilon %.2f): AUC %.3f, advantage %.3f, test accuracy %.3f", spent.Epsilon, res[1].AUC, res[1].Advantage, acc(private))
	if !(res[1].Advantage < res[0].Advantage && res[1].AUC < res[0].AUC) {
		t.Errorf("DP-SGD advantage %.3f (AUC %.3f) not below plain training's %.3f (AUC %.3f)", res[1].Advantage, res[1].AUC, res[0].Advantage, res[0].AUC)
	}
}
