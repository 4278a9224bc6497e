package adversarial_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"testing"

	"github.com/gokeras/gokeras/adversarial"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// digitsMLP returns a fresh trainer of the digits MLP of trainDigits (float32)
// and the training split scaled to [0, 1].
func digitsMLP(t *testing.T, seed int64) (*trainers.Trainer, *tensor.Dense, *tensor.Dense) {
	t.Helper()
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	m := layers.NewSequential(layers.Input(64),
		layers.Dense(32, layers.WithActivation("tanh")),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(seed),
		trainers.WithOutput(io.Discard), trainers.WithOptimizer(trainers.Adam(0.01)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr, scaled(s.Train.X(), s.Train.X().Shape()[0]), s.Train.Y()
}

// TestTrainingBounds checks that the adversarial batches stay within eps of the
// clean ones and inside the range, that the attacked rows (all, or the
// fraction's share) change and the others do not.
func TestTrainingBounds(t *testing.T) {
	const eps, lo, hi = 0.1, 0.0, 1.0
	for _, tc := range []struct {
		method   string
		fraction float64
	}{{adversarial.TrainFGSMRS, 1}, {adversarial.TrainPGD, 1}, {adversarial.TrainFGSMRS, 0.25}} {
		t.Run(tc.method, func(t *testing.T) {
			tr, x, y := digitsMLP(t, 3)
			attack, err := adversarial.TrainingTransform(tc.method, eps, adversarial.WithRange(lo, hi),
				adversarial.WithSteps(3), adversarial.WithFraction(tc.fraction))
			if err != nil {
				t.Fatal(err)
			}
			var clean []float32
			batches := 0
			check := func(_ *trainers.Trainer, b *trainers.Batch) error {
				adv := b.Inputs[0].Data().([]float32)
				rows, per := b.Inputs[0].Shape()[0], b.Inputs[0].Shape()[1]
				changed := 0
				for r := 0; r < rows; r++ {
					diff := false
					for j := r * per; j < (r+1)*per; j++ {
						d := math.Abs(float64(adv[j]) - float64(clean[j]))
						if d > eps || float64(adv[j]) < lo || float64(adv[j]) > hi {
							t.Fatalf("batch %d row %d: %g from clean %g (eps %g, range [%g, %g])", b.Index, r, adv[j], clean[j], eps, lo, hi)
						}
						diff = diff || d > 0
					}
					if diff {
						changed++
					}
				}
				if want := int(math.Round(tc.fraction * float64(rows))); changed != want {
					t.Errorf("batch %d: %d of %d rows changed, want %d", b.Index, changed, rows, want)
				}
				batches++
				return nil
			}
			keep := func(_ *trainers.Trainer, b *trainers.Batch) error {
				clean = append(clean[:0], b.Inputs[0].Data().([]float32)...)
				return nil
			}
			if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(1), trainers.BatchSize(128), trainers.Verbose(0),
				trainers.BatchTransform(keep), trainers.BatchTransform(attack), trainers.BatchTransform(check)); err != nil {
				t.Fatal(err)
			}
			if batches == 0 {
				t.Fatal("no batch checked")
			}
		})
	}
}

// fitDigits trains the digits MLP of seed for epochs with the extra options and
// returns the trainer and its saved bytes.
func fitDigits(t *testing.T, seed int64, epochs int, opts ...trainers.FitOption) (*trainers.Trainer, []byte) {
	t.Helper()
	tr, x, y := digitsMLP(t, seed)
	opts = append([]trainers.FitOption{trainers.Epochs(epochs), trainers.BatchSize(64), trainers.Verbose(0)}, opts...)
	if _, err := tr.Fit(context.Background(), x, y, opts...); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tr.SaveTo(&b); err != nil {
		t.Fatal(err)
	}
	return tr, b.Bytes()
}

// TestTrainingDeterministic checks that two adversarial Fits of the same seed
// give bit-identical weights, and another seed different ones.
func TestTrainingDeterministic(t *testing.T) {
	opt, err := adversarial.Training(adversarial.TrainPGD, 0.1, adversarial.WithSteps(2), adversarial.WithFraction(0.5))
	if err != nil {
		t.Fatal(err)
	}
	_, a := fitDigits(t, 7, 2, opt)
	_, b := fitDigits(t, 7, 2, opt)
	_, c := fitDigits(t, 8, 2, opt)
	if !bytes.Equal(a, b) {
		t.Error("two fits of seed 7 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("fits of seeds 7 and 8 are identical")
	}
}

// TestTrainingRaisesRobustness checks that FGSM-RS training at eps 0.1 makes
// the digits MLP much more robust to PGD-20 at eps 0.1 than plain training, at
// a small cost in clean accuracy.
func TestTrainingRaisesRobustness(t *testing.T) {
	const eps = 0.1
	opt, err := adversarial.Training(adversarial.TrainFGSMRS, eps)
	if err != nil {
		t.Fatal(err)
	}
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	n := s.Test.X().Shape()[0]
	x := scaled(s.Test.X(), n)
	y := s.Test.Y()
	plain, _ := fitDigits(t, 1, 15)
	robust, _ := fitDigits(t, 1, 15, opt)
	pp, err := adversarial.PGD(plain, x, y, eps)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := adversarial.PGD(robust, x, y, eps)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plain: clean %.3f pgd %.3f; fgsm-rs: clean %.3f pgd %.3f (%d rows)",
		pp.CleanAccuracy(), pp.RobustAccuracy(), pr.CleanAccuracy(), pr.RobustAccuracy(), n)
	if pr.RobustAccuracy() < pp.RobustAccuracy()+0.2 {
		t.Errorf("PGD accuracy %.3f after adversarial training, %.3f after plain: want at least 0.2 higher", pr.RobustAccuracy(), pp.RobustAccuracy())
	}
	if pr.CleanAccuracy() < 0.85 {
		t.Errorf("clean accuracy %.3f after adversarial training: want >= 0.85", pr.CleanAccuracy())
	}
}

// TestTrainingErrors checks the option and input errors.
func TestTrainingErrors(t *testing.T) {
	for _, tc := range []struct {
		method string
		eps    float64
		opts   []adversarial.TrainingOption
	}{
		{"fgsm", 0.1, nil},
		{adversarial.TrainPGD, 0, nil},
		{adversarial.TrainPGD, math.NaN(), nil},
		{adversarial.TrainPGD, 0.1, []adversarial.TrainingOption{adversarial.WithFraction(0)}},
		{adversarial.TrainPGD, 0.1, []adversarial.TrainingOption{adversarial.WithFraction(1.5)}},
		{adversarial.TrainPGD, 0.1, []adversarial.TrainingOption{adversarial.WithSteps(0)}},
		{adversarial.TrainFGSMRS, 0.1, []adversarial.TrainingOption{adversarial.WithRange(1, 0)}},
	} {
		if _, err := adversarial.Training(tc.method, tc.eps, tc.opts...); err == nil {
			t.Errorf("%s eps %g: no error", tc.method, tc.eps)
		}
	}
	// Inputs outside the range stop Fit with an error.
	opt, err := adversarial.Training(adversarial.TrainFGSMRS, 0.1, adversarial.WithRange(0, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	tr, x, y := digitsMLP(t, 1)
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(1), trainers.Verbose(0), opt); err == nil {
		t.Error("inputs above the range: no error")
	} else {
		t.Log(err)
	}
}
