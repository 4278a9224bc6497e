package trainers_test

import (
	"context"
	"math"
	"testing"

	"github.com/gokeras/gokeras/trainers"
)

func TestSchedules(t *testing.T) {
	tests := []struct {
		name string
		s    trainers.Schedule
		step int
		want float64
	}{
		{"exp start", trainers.ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5}, 0, 0.1},
		{"exp smooth", trainers.ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5}, 5, 0.1 * math.Sqrt(0.5)},
		{"exp staircase", trainers.ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5, Staircase: true}, 15, 0.05},
		{"piecewise first", trainers.PiecewiseConstant{Boundaries: []int{10, 20}, Values: []float64{1, 0.5, 0.1}}, 10, 1},
		{"piecewise middle", trainers.PiecewiseConstant{Boundaries: []int{10, 20}, Values: []float64{1, 0.5, 0.1}}, 11, 0.5},
		{"piecewise last", trainers.PiecewiseConstant{Boundaries: []int{10, 20}, Values: []float64{1, 0.5, 0.1}}, 21, 0.1},
		{"cosine start", trainers.CosineDecay{Initial: 0.1, DecaySteps: 100}, 0, 0.1},
		{"cosine half", trainers.CosineDecay{Initial: 0.1, DecaySteps: 100}, 50, 0.05},
		{"cosine end alpha", trainers.CosineDecay{Initial: 0.1, DecaySteps: 100, Alpha: 0.1}, 200, 0.01},
		{"warmup half", trainers.CosineDecay{Initial: 0, DecaySteps: 100, WarmupSteps: 10, Target: 0.2}, 5, 0.1},
		{"warmup peak", trainers.CosineDecay{Initial: 0, DecaySteps: 100, WarmupSteps: 10, Target: 0.2}, 10, 0.2},
		{"after warmup", trainers.CosineDecay{Initial: 0, DecaySteps: 100, WarmupSteps: 10, Target: 0.2}, 60, 0.1},
	}
	for _, tc := range tests {
		if got := tc.s.Rate(tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: rate %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestScheduleDrivesEveryOptimizer: each optimizer follows its schedule step by step
// (the rate after 7 steps is the schedule's rate at step 7), and rejects
// SetLearningRate.
func TestScheduleDrivesEveryOptimizer(t *testing.T) {
	s := trainers.ExponentialDecay{Initial: 0.01, DecaySteps: 2, DecayRate: 0.5}
	for _, mk := range []func(...trainers.OptimizerOption) trainers.Optimizer{
		func(o ...trainers.OptimizerOption) trainers.Optimizer { return trainers.SGD(0, o...) },
		func(o ...trainers.OptimizerOption) trainers.Optimizer { return trainers.Adam(0, o...) },
		func(o ...trainers.OptimizerOption) trainers.Optimizer { return trainers.AdamW(0, o...) },
		func(o ...trainers.OptimizerOption) trainers.Optimizer { return trainers.RMSProp(0, o...) },
		func(o ...trainers.OptimizerOption) trainers.Optimizer { return trainers.AdaGrad(0, o...) },
	} {
		opt := mk(trainers.WithSchedule(s))
		tr, ds := linearTrainer(t, opt, nil)
		before := weights(tr.Model())
		if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(1), trainers.BatchSize(30), trainers.Verbose(0)); err != nil {
			t.Fatalf("%s: %v", opt.Name(), err)
		}
		if opt.Iterations() != 7 || opt.LearningRate() != s.Rate(7) {
			t.Errorf("%s: %d steps, rate %v, want 7 and %v", opt.Name(), opt.Iterations(), opt.LearningRate(), s.Rate(7))
		}
		if equalWeights(before, weights(tr.Model())) {
			t.Errorf("%s: weights did not move", opt.Name())
		}
		if err := opt.SetLearningRate(0.1); err == nil {
			t.Errorf("%s: SetLearningRate on a scheduled optimizer: no error", opt.Name())
		}
	}
}
