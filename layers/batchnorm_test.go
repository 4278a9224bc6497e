package layers_test

import (
	"context"
	"io"
	"math"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestBatchNormTraining: every training program (batch 4 and the remainder batch
// of 2) updates the same moving statistics with Keras' momentum and the unbiased
// batch variance, and inference (Predict, batch 1) normalizes with them.
func TestBatchNormTraining(t *testing.T) {
	const n, c, momentum, eps = 10, 3, 0.9, 1e-3
	xs := randInput(50, n, c)
	ys := randInput(51, n, 1)
	bn := layers.BatchNormalization(layers.WithMomentum(momentum))
	dense := layers.Dense(1)
	model := layers.NewSequential(layers.Input(c), bn, dense)
	tr, err := trainers.New(model, trainers.WithLoss("mse"), trainers.WithDType(tensor.Float64), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), xs, ys, trainers.BatchSize(4), trainers.Shuffle(false), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	x := xs.Data().([]float64)
	mm, mv := make([]float64, c), []float64{1, 1, 1}
	for _, b := range [][2]int{{0, 4}, {4, 8}, {8, 10}} {
		rows := float64(b[1] - b[0])
		for ch := 0; ch < c; ch++ {
			var mean, ss float64
			for r := b[0]; r < b[1]; r++ {
				mean += x[r*c+ch] / rows
			}
			for r := b[0]; r < b[1]; r++ {
				ss += (x[r*c+ch] - mean) * (x[r*c+ch] - mean)
			}
			mm[ch] = momentum*mm[ch] + (1-momentum)*mean
			mv[ch] = momentum*mv[ch] + (1-momentum)*ss/(rows-1)
		}
	}
	assertNear(t, "moving mean", bn.MovingMean().Float64s(), mm, 1e-12)
	assertNear(t, "moving variance", bn.MovingVariance().Float64s(), mv, 1e-12)

	pred, err := tr.Predict(xs, trainers.BatchSize(1))
	if err != nil {
		t.Fatal(err)
	}
	gamma, beta := bn.Gamma().Float64s(), bn.Beta().Float64s()
	w, bias := dense.Kernel().Float64s(), dense.Bias().Float64s()
	want := make([]float64, n)
	for r := 0; r < n; r++ {
		want[r] = bias[0]
		for ch := 0; ch < c; ch++ {
			h := gamma[ch]*(x[r*c+ch]-mm[ch])/math.Sqrt(mv[ch]+eps) + beta[ch]
			want[r] += h * w[ch]
		}
	}
	assertNear(t, "prediction", pred.Data().([]float64), want, 1e-12)
}

// TestBatchNormBatchOfOne: training on single examples keeps the moving
// variance finite (PyTorch's unbiased variance of one row is NaN).
func TestBatchNormBatchOfOne(t *testing.T) {
	bn := layers.BatchNormalization()
	model := layers.NewSequential(layers.Input(2), bn, layers.Dense(1))
	tr, err := trainers.New(model, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 2, -1, 0.5, 3, 1}))
	y := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{0.5, -0.5, 1}))
	if _, err := tr.Fit(context.Background(), x, y, trainers.BatchSize(1), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for _, v := range append(bn.MovingVariance().Float64s(), bn.MovingMean().Float64s()...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("moving statistics %v %v are not finite", bn.MovingMean().Float64s(), bn.MovingVariance().Float64s())
		}
	}
	if v := bn.MovingVariance().Float64s()[0]; v >= 1 || v < 0.97 {
		t.Errorf("moving variance %g, want 0.99³ = 0.970299 (biased variance 0 of each single-row batch)", v)
	}
}

func assertNear(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
		}
	}
}
