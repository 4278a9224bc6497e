package adversarial

import (
	"math"
	"math/rand"
	"sort"

	"github.com/gokeras/gokeras/internal/tensorvals"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The methods of adversarial training.
const (
	// TrainFGSMRS is FGSM with a random start (Wong, Rice and Kolter 2020, "Fast
	// is better than free"): x' = Π(x + δ + α*sign(∇x loss(x + δ))), δ uniform in
	// the L-inf eps-ball, α = WithStepSize (default DefaultFGSMRSStepFactor*eps).
	// One input gradient per batch: about twice the cost of plain training.
	// WithSteps is ignored; WithRandomStart(false) and WithStepSize(eps) make
	// plain FGSM training (Goodfellow et al. 2015), which Wong et al. found to
	// overfit catastrophically (robust to FGSM, not to PGD).
	TrainFGSMRS = "fgsm-rs"
	// TrainPGD is PGD training (Madry et al. 2018): the PGD attack with
	// WithSteps (default DefaultTrainingSteps) steps of WithStepSize (default
	// DefaultStepFactor*eps/steps) from a random start (WithRandomStart, default
	// true). steps input gradients per batch: about steps+1 times the cost.
	TrainPGD = "pgd"
)

// Defaults of adversarial training.
const (
	DefaultFGSMRSStepFactor = 1.25 // FGSM-RS's step α is 1.25*eps (Wong et al. 2020)
	DefaultTrainingSteps    = 10   // PGD training's steps
	DefaultFraction         = 1.0  // share of each batch made adversarial
)

// TrainingOption is an option of Training: an attack Option (WithRange,
// WithSteps, WithStepSize, WithRandomStart, WithBatchSize, WithContext; the
// others are ignored, WithSeed included) or WithFraction.
type TrainingOption interface{ applyTraining(*trainingConfig) }

func (o Option) applyTraining(c *trainingConfig) { c.attack = append(c.attack, o) }

type fractionOption float64

func (f fractionOption) applyTraining(c *trainingConfig) { c.fraction = float64(f) }

// WithFraction sets the share of each training batch replaced by adversarial
// examples (default 1, the whole batch), in (0, 1]: round(f*rows) rows, drawn
// from the batch's seed, are attacked; the others stay clean.
func WithFraction(f float64) TrainingOption { return fractionOption(f) }

type trainingConfig struct {
	method   string
	eps      float64
	fraction float64
	attack   []Option
	c        *config
	alpha    float64
}

// Training returns a trainers.FitOption that trains on adversarial examples:
// before each step, Fit replaces the inputs of the batch (all rows, or
// WithFraction of them) by an attack on the model as it is, x' within L-inf
// distance eps of x and inside the valid range (WithRange, default [0, 1]; eps
// is in the same input units). method is TrainFGSMRS or TrainPGD. It is
// TrainingTransform given to trainers.BatchTransform.
func Training(method string, eps float64, opts ...TrainingOption) (trainers.FitOption, error) {
	f, err := TrainingTransform(method, eps, opts...)
	if err != nil {
		return nil, err
	}
	return trainers.BatchTransform(f), nil
}

// TrainingTransform returns the batch transform of Training. It takes a model of
// one float input (rows, input...) and one output, whose trainer has a loss
// (trainers.WithLoss): the gradients are those of each row's loss against the
// batch's targets, in inference mode. Its random numbers (the start, the rows of
// WithFraction) come from the batch's Seed alone, so the trainer's seed fixes
// them: two Fits with the same seed give the same weights. An input value
// outside the valid range is an error.
func TrainingTransform(method string, eps float64, opts ...TrainingOption) (trainers.BatchTransformFunc, error) {
	what := "adversarial training"
	tc := &trainingConfig{method: method, eps: eps, fraction: DefaultFraction}
	for _, o := range opts {
		if o != nil {
			o.applyTraining(tc)
		}
	}
	if method != TrainFGSMRS && method != TrainPGD {
		return nil, errors.Errorf("%s: method %q: want %q or %q", what, method, TrainFGSMRS, TrainPGD)
	}
	what += " (" + method + ")"
	if math.IsNaN(eps) || math.IsInf(eps, 0) || eps <= 0 {
		return nil, errors.Errorf("%s: eps %g: want a finite value > 0", what, eps)
	}
	if !(tc.fraction > 0 && tc.fraction <= 1) {
		return nil, errors.Errorf("%s: fraction %g: want a value in (0, 1]", what, tc.fraction)
	}
	c, err := newConfig(what, append([]Option{WithSteps(DefaultTrainingSteps)}, tc.attack...))
	if err != nil {
		return nil, err
	}
	tc.c, tc.alpha = c, c.stepSize
	switch {
	case method == TrainFGSMRS:
		c.steps = 1
		if tc.alpha == 0 {
			tc.alpha = DefaultFGSMRSStepFactor * eps
		}
	case tc.alpha == 0:
		tc.alpha = DefaultStepFactor * eps / float64(c.steps)
	}
	return func(t *trainers.Trainer, b *trainers.Batch) error {
		return errors.Wrap(tc.transform(t, b), what)
	}, nil
}

// transform attacks the chosen rows of b and writes them back in place.
func (tc *trainingConfig) transform(t *trainers.Trainer, b *trainers.Batch) error {
	if len(b.Inputs) != 1 || len(b.Targets) != 1 {
		return errors.Errorf("a batch of %d inputs and %d targets: want a model of one input and one output", len(b.Inputs), len(b.Targets))
	}
	x, y := b.Inputs[0], b.Targets[0]
	xs, ys := tensorvals.Floats(x), tensorvals.Floats(y)
	if ys == nil {
		ys = tensorvals.Ints(y)
	}
	if xs == nil || ys == nil || x.Dims() < 2 {
		return errors.Errorf("inputs %v %v, targets %v: want float inputs (rows, input...) and numeric targets", x.Dtype(), x.Shape(), y.Dtype())
	}
	n := x.Shape()[0]
	per, yper := len(xs)/n, len(ys)/n
	rng := rand.New(rand.NewSource(b.Seed))
	rows := chooseRows(rng, n, tc.fraction)
	k := len(rows)
	clean, adv, ty := make([]float64, k*per), make([]float64, k*per), make([]float64, k*yper)
	for i, r := range rows {
		copy(clean[i*per:(i+1)*per], xs[r*per:(r+1)*per])
		copy(ty[i*yper:(i+1)*yper], ys[r*yper:(r+1)*yper])
	}
	for j, v := range clean {
		if !(v >= tc.c.lo && v <= tc.c.hi) {
			return errors.Errorf("row %d, value %d is %g, outside the valid input range [%g, %g] (WithRange)", rows[j/per], j%per, v, tc.c.lo, tc.c.hi)
		}
	}
	copy(adv, clean)
	if tc.c.randomStart {
		randomStart(rng, adv, k, per, tc.eps, false)
		projectLinf(clean, adv, tc.eps, tc.c.lo, tc.c.hi)
	}
	shape := append([]int{k}, x.Shape()[1:]...)
	target := trainers.LossTarget(tensor.New(tensor.WithShape(append([]int{k}, y.Shape()[1:]...)...), tensor.WithBacking(ty)))
	for s := 0; s < tc.c.steps; s++ {
		if err := tc.c.ctx.Err(); err != nil {
			return err
		}
		in := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), adv...)))
		g, err := t.InputGradients(in, target, trainers.BatchSize(tc.c.batch))
		if err != nil {
			return errors.Wrapf(err, "step %d: the gradient of the loss", s+1)
		}
		gs := tensorvals.Floats(g)
		for j := range adv {
			adv[j] += tc.alpha * sign(gs[j])
		}
		projectLinf(clean, adv, tc.eps, tc.c.lo, tc.c.hi)
	}
	return tc.writeRows(x, rows, per, clean, adv)
}

// chooseRows returns round(f*n) (at least 1) row indices of n in increasing
// order: all rows when f is 1 (drawing nothing), else a subset drawn from rng.
func chooseRows(rng *rand.Rand, n int, f float64) []int {
	k := max(1, min(n, int(math.Round(f*float64(n)))))
	if k == n {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		return rows
	}
	rows := rng.Perm(n)[:k]
	sort.Ints(rows)
	return rows
}

// writeRows writes adv's rows (per values each) into rows of x, a float32 or
// float64 tensor, in place. A float32 value that rounding put beyond eps of the
// clean value or outside [lo, hi] steps back towards the clean value (a float32
// inside both), so that the bounds hold in x's own dtype.
func (tc *trainingConfig) writeRows(x *tensor.Dense, rows []int, per int, clean, adv []float64) error {
	switch d := x.Data().(type) {
	case []float64:
		for i, r := range rows {
			copy(d[r*per:(r+1)*per], adv[i*per:(i+1)*per])
		}
	case []float32:
		for i, r := range rows {
			for j := 0; j < per; j++ {
				c, v := clean[i*per+j], float32(adv[i*per+j])
				for math.Abs(float64(v)-c) > tc.eps || float64(v) < tc.c.lo || float64(v) > tc.c.hi {
					v = math.Nextafter32(v, float32(c))
				}
				d[r*per+j] = v
			}
		}
	default:
		return errors.Errorf("inputs of dtype %v: want float32 or float64", x.Dtype())
	}
	return nil
}
