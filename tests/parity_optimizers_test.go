package tests

import (
	"context"
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// parityOptCase is one case of optimizers.json. Every field is present; those that
// do not apply to the optimizer hold torch's defaults as fillers.
type parityOptCase struct {
	Name               string  `json:"name"`
	Optimizer          string  `json:"optimizer"`
	LR                 float64 `json:"lr"`
	Momentum           float64 `json:"momentum"`
	Nesterov           bool    `json:"nesterov"`
	Beta1              float64 `json:"beta1"`
	Beta2              float64 `json:"beta2"`
	Eps                float64 `json:"eps"`
	AMSGrad            bool    `json:"amsgrad"`
	WeightDecay        float64 `json:"weight_decay"`
	Rho                float64 `json:"rho"`
	InitialAccumulator float64 `json:"initial_accumulator"`
	Clip               string  `json:"clip"`
	ClipArg            float64 `json:"clip_arg"`
	Steps              []struct {
		Loss float64     `json:"loss"`
		W    parityArray `json:"w"`
		B    parityArray `json:"b"`
	} `json:"steps"`
}

type parityOptFixture struct {
	Init struct {
		W parityArray `json:"w"`
		B parityArray `json:"b"`
	} `json:"init"`
	X     parityArray     `json:"x"`
	T     parityArray     `json:"t"`
	Cases []parityOptCase `json:"cases"`
}

// parityOptimizer maps a fixture case to a trainers optimizer, passing only the
// options that apply to that optimizer (the trainers optimizers reject the others).
func parityOptimizer(c parityOptCase) (trainers.Optimizer, error) {
	var opts []trainers.OptimizerOption
	switch c.Clip {
	case "none":
	case "value":
		opts = append(opts, trainers.ClipValue(c.ClipArg))
	case "norm_per_tensor":
		opts = append(opts, trainers.ClipNorm(c.ClipArg))
	case "norm_global":
		opts = append(opts, trainers.GlobalClipNorm(c.ClipArg))
	default:
		return nil, fmt.Errorf("unknown clip mode %q", c.Clip)
	}
	adamOpts := func() {
		opts = append(opts, trainers.Beta1(c.Beta1), trainers.Beta2(c.Beta2), trainers.Epsilon(c.Eps))
		if c.AMSGrad {
			opts = append(opts, trainers.AMSGrad())
		}
	}
	switch c.Optimizer {
	case "sgd":
		if c.Momentum > 0 {
			opts = append(opts, trainers.Momentum(c.Momentum))
		}
		if c.Nesterov {
			opts = append(opts, trainers.Nesterov())
		}
		if c.WeightDecay > 0 {
			opts = append(opts, trainers.WeightDecay(c.WeightDecay))
		}
		return trainers.SGD(c.LR, opts...), nil
	case "adam":
		adamOpts()
		if c.WeightDecay > 0 {
			opts = append(opts, trainers.WeightDecay(c.WeightDecay))
		}
		return trainers.Adam(c.LR, opts...), nil
	case "adamw":
		adamOpts()
		// Always given: AdamW's own default (0.004) differs from torch's (0.01).
		opts = append(opts, trainers.WeightDecay(c.WeightDecay))
		return trainers.AdamW(c.LR, opts...), nil
	case "rmsprop":
		opts = append(opts, trainers.Rho(c.Rho), trainers.Epsilon(c.Eps))
		if c.Momentum > 0 {
			opts = append(opts, trainers.Momentum(c.Momentum))
		}
		return trainers.RMSProp(c.LR, opts...), nil
	case "adagrad":
		opts = append(opts, trainers.InitialAccumulator(c.InitialAccumulator), trainers.Epsilon(c.Eps))
		return trainers.AdaGrad(c.LR, opts...), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", c.Optimizer)
}

// parityTrainSteps trains Input(3) -> Dense(4) from the fixture's initial weights
// with the case's optimizer, one Fit call (= one step of 8 rows) at a time, in dtype
// dt, and compares W, b and the loss after each step with the fixture. It returns
// the largest scaled difference.
func parityTrainSteps(t *testing.T, fix *parityOptFixture, c parityOptCase, dt tensor.Dtype) float64 {
	t.Helper()
	name := fmt.Sprintf("%s/%v", c.Name, dt)
	model := layers.NewSequential(layers.Input(3), layers.Dense(4))
	if err := model.Build(layers.WithSeed(1), layers.WithDType(dt)); err != nil {
		t.Fatalf("case %s: build: %v", name, err)
	}
	dense, ok := model.Layers()[1].(*layers.DenseLayer)
	if !ok {
		t.Fatalf("case %s: layer 1 is %T, want *layers.DenseLayer", name, model.Layers()[1])
	}
	if err := dense.Kernel().SetFloat64s(fix.Init.W.Data); err != nil {
		t.Fatalf("case %s: set kernel: %v", name, err)
	}
	if err := dense.Bias().SetFloat64s(fix.Init.B.Data); err != nil {
		t.Fatalf("case %s: set bias: %v", name, err)
	}
	opt, err := parityOptimizer(c)
	if err != nil {
		t.Fatalf("case %s: %v", name, err)
	}
	tr, err := trainers.New(model, trainers.WithLoss("mse"), trainers.WithOptimizer(opt))
	if err != nil {
		t.Fatalf("case %s: trainers.New: %v", name, err)
	}
	defer tr.Close()
	x, y := parityTensor(dt, fix.X), parityTensor(dt, fix.T)
	worst := 0.0
	for i, want := range c.Steps {
		hist, err := tr.Fit(context.Background(), x, y, trainers.Epochs(1), trainers.BatchSize(8),
			trainers.Shuffle(false), trainers.Verbose(0))
		if err != nil {
			t.Fatalf("case %s: step %d: fit: %v", name, i+1, err)
		}
		if it := tr.Optimizer().Iterations(); it != i+1 {
			t.Fatalf("case %s: after Fit %d the optimizer took %d steps, want %d", name, i+1, it, i+1)
		}
		step := fmt.Sprintf("%s step %d", name, i+1)
		loss, ok := hist.Last("loss")
		if !ok {
			t.Errorf("case %s: history has no loss", step)
		}
		for _, cmp := range []struct {
			array     string
			got, want []float64
		}{
			{"loss (before the step)", []float64{loss}, []float64{want.Loss}},
			{"w", dense.Kernel().Float64s(), want.W.Data},
			{"b", dense.Bias().Float64s(), want.B.Data},
		} {
			if d := parityCompare(t, step, cmp.array, cmp.got, cmp.want); d > worst {
				worst = d
			}
		}
		if t.Failed() {
			return worst // later steps only repeat the first failure
		}
	}
	return worst
}

func TestParityOptimizers(t *testing.T) {
	var fix parityOptFixture
	parityLoad(t, "optimizers.json", &fix)
	for name, a := range map[string]parityArray{"init.w": fix.Init.W, "init.b": fix.Init.B, "x": fix.X, "t": fix.T} {
		parityCheckArray(t, "init", name, a)
	}
	if len(fix.Cases) == 0 {
		t.Fatal("optimizers.json has no cases")
	}
	var worst32, worst64 parityMax
	for _, c := range fix.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Steps) != 5 {
				t.Fatalf("case %s: %d steps, want 5", c.Name, len(c.Steps))
			}
			for i, s := range c.Steps {
				parityCheckArray(t, fmt.Sprintf("%s step %d", c.Name, i+1), "w", s.W)
				parityCheckArray(t, fmt.Sprintf("%s step %d", c.Name, i+1), "b", s.B)
			}
			t.Run("float32", func(t *testing.T) {
				worst32.add(parityTrainSteps(t, &fix, c, tensor.Float32), c.Name)
			})
			t.Run("float64", func(t *testing.T) {
				worst64.add(parityTrainSteps(t, &fix, c, tensor.Float64), c.Name)
			})
		})
	}
	worst32.report(t, "optimizers.json float32")
	worst64.report(t, "optimizers.json float64")
}
