package adversarial_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/adversarial"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestErrors checks that bad arguments and options are errors naming what is at
// fault, never panics.
func TestErrors(t *testing.T) {
	tr := logistic(t, []float64{1, -1, 0.5}, 0)
	x := func(v ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(v)/3, 3), tensor.WithBacking(v))
	}
	ok := x(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
	ids := func(v ...float64) *tensor.Dense { return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v)) }
	y := ids(0, 1)
	noLoss, err := trainers.New(layers.NewSequential(layers.Input(3), layers.Dense(2, layers.WithActivation("softmax"))))
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	fgsm := func(tr *trainers.Trainer, x, y *tensor.Dense, eps float64, o ...adversarial.Option) error {
		_, err := adversarial.FGSM(tr, x, y, eps, o...)
		return err
	}
	pgd := func(tr *trainers.Trainer, x, y *tensor.Dense, eps float64, o ...adversarial.Option) error {
		_, err := adversarial.PGD(tr, x, y, eps, o...)
		return err
	}
	pgdL2 := func(tr *trainers.Trainer, x, y *tensor.Dense, eps float64, o ...adversarial.Option) error {
		_, err := adversarial.PGDL2(tr, x, y, eps, o...)
		return err
	}
	cw := func(tr *trainers.Trainer, x, y *tensor.Dense, _ float64, o ...adversarial.Option) error {
		_, err := adversarial.CW(tr, x, y, o...)
		return err
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"nil trainer", func() error { return fgsm(nil, ok, y, 0.1) }, "nil trainer"},
		{"nil x", func() error { return pgd(tr, nil, y, 0.1) }, "want (N, input...)"},
		{"1-D x", func() error { return fgsm(tr, ids(0.1, 0.2, 0.3), y, 0.1) }, "x has shape (3)"},
		{"int x", func() error {
			return fgsm(tr, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]int{0, 1, 0})), ids(0), 0.1)
		}, "dtype int"},
		{"x above range", func() error { return fgsm(tr, x(0.1, 0.2, 0.3, 0.4, 1.5, 0.6), y, 0.1) }, "row 1, value 1 is 1.5, outside the valid input range [0, 1]"},
		{"NaN in x", func() error { return cw(tr, x(math.NaN(), 0.2, 0.3), ids(0), 0) }, "row 0, value 0 is NaN"},
		{"x outside a given range", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithRange(0.2, 1)) }, "[0.2, 1]"},
		{"negative eps", func() error { return fgsm(tr, ok, y, -0.1) }, "eps -0.1"},
		{"NaN eps", func() error { return pgdL2(tr, ok, y, math.NaN()) }, "eps NaN"},
		{"nil y", func() error { return fgsm(tr, ok, nil, 0.1) }, "nil labels"},
		{"y rows", func() error { return fgsm(tr, ok, ids(0, 1, 1), 0.1) }, "labels of shape (3) for 2 rows"},
		{"y width", func() error {
			return fgsm(tr, ok, tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float64, 6))), 0.1)
		}, "labels of shape (2, 3): want class ids (2) or (2, 1)"},
		{"label out of range", func() error { return fgsm(tr, ok, ids(0, 2), 0.1) }, "label 2 of row 1 is not a class in [0, 2)"},
		{"fractional label", func() error { return cw(tr, ok, ids(0.5, 1), 0) }, "label 0.5 of row 0"},
		{"target out of range", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithTarget(5)) }, "target class 5 (row 0) is out of range [0, 2)"},
		{"targets per row", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithTarget(0, 1, 1)) }, "3 targets for 2 rows"},
		{"range", func() error { return fgsm(tr, ok, y, 0.1, adversarial.WithRange(1, 0)) }, "valid input range [1, 0]"},
		{"batch", func() error { return fgsm(tr, ok, y, 0.1, adversarial.WithBatchSize(0)) }, "batch size 0"},
		{"steps", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithSteps(0)) }, "0 steps"},
		{"step size", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithStepSize(-1)) }, "step size -1"},
		{"binary steps", func() error { return cw(tr, ok, y, 0, adversarial.WithBinarySteps(0)) }, "0 binary-search steps"},
		{"iterations", func() error { return cw(tr, ok, y, 0, adversarial.WithIterations(-3)) }, "-3 iterations"},
		{"learning rate", func() error { return cw(tr, ok, y, 0, adversarial.WithLearningRate(0)) }, "learning rate 0"},
		{"initial const", func() error { return cw(tr, ok, y, 0, adversarial.WithInitialConst(math.Inf(1))) }, "initial constant +Inf"},
		{"kappa", func() error { return cw(tr, ok, y, 0, adversarial.WithKappa(-1)) }, "kappa -1"},
		{"no loss", func() error { return fgsm(noLoss, ok, y, 0.1) }, "made with a loss"},
		{"cancelled", func() error { return pgd(tr, ok, y, 0.1, adversarial.WithContext(cancelled)) }, "context canceled"},
		{"cancelled cw", func() error { return cw(tr, ok, y, 0, adversarial.WithContext(cancelled)) }, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestNorms checks Norms on a known perturbation and its shape errors.
func TestNorms(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 0, 1, 1}))
	adv := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0.3, -0.4, 1, 1}))
	linf, l2, err := adversarial.Norms(x, adv)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(linf[0]-0.4) > 1e-7 || math.Abs(l2[0]-0.5) > 1e-7 || linf[1] != 0 || l2[1] != 0 {
		t.Errorf("L-inf %v, L2 %v; want [0.4 0] and [0.5 0]", linf, l2)
	}
	if _, _, err := adversarial.Norms(x, tensor.New(tensor.WithShape(1, 4), tensor.WithBacking(make([]float64, 4)))); err == nil || !strings.Contains(err.Error(), "(1, 4)") {
		t.Errorf("shape mismatch: %v", err)
	}
}
