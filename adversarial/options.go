package adversarial

import (
	"context"
	"math"

	"github.com/pkg/errors"
)

// Defaults of the options.
const (
	DefaultLow          = 0.0  // lower end of the valid input range
	DefaultHigh         = 1.0  // upper end of the valid input range
	DefaultBatchSize    = 64   // rows differentiated or predicted at a time
	DefaultSeed         = 1    // seed of PGD's random start
	DefaultSteps        = 20   // PGD's iterations
	DefaultStepFactor   = 2.5  // PGD's step size is DefaultStepFactor*eps/steps (Madry et al. 2018)
	DefaultBinarySteps  = 9    // CW's binary-search steps over the constant c (Carlini and Wagner 2017)
	DefaultIterations   = 100  // CW's Adam iterations per binary-search step
	DefaultLearningRate = 0.1  // CW's Adam learning rate on w
	DefaultInitialConst = 0.01 // CW's first constant c
	DefaultKappa        = 0.0  // CW's confidence margin κ on the logits
)

// Option sets a parameter of an attack; each attack ignores the options that are
// not its own.
type Option func(*config)

type config struct {
	lo, hi       float64
	batch        int
	seed         int64
	targets      []int
	steps        int
	stepSize     float64 // 0: DefaultStepFactor*eps/steps
	randomStart  bool
	binarySteps  int
	iterations   int
	learningRate float64
	initialConst float64
	kappa        float64
	ctx          context.Context
}

func newConfig(what string, opts []Option) (*config, error) {
	c := &config{lo: DefaultLow, hi: DefaultHigh, batch: DefaultBatchSize, seed: DefaultSeed, steps: DefaultSteps,
		randomStart: true, binarySteps: DefaultBinarySteps, iterations: DefaultIterations,
		learningRate: DefaultLearningRate, initialConst: DefaultInitialConst, kappa: DefaultKappa, ctx: context.Background()}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case !finite(c.lo) || !finite(c.hi) || !(c.lo < c.hi):
		return nil, errors.Errorf("%s: valid input range [%g, %g]: want finite low < high", what, c.lo, c.hi)
	case c.batch < 1:
		return nil, errors.Errorf("%s: batch size %d: want at least 1", what, c.batch)
	case c.steps < 1:
		return nil, errors.Errorf("%s: %d steps: want at least 1", what, c.steps)
	case !finite(c.stepSize) || c.stepSize < 0:
		return nil, errors.Errorf("%s: step size %g: want a finite value > 0 (0: the default 2.5*eps/steps)", what, c.stepSize)
	case c.binarySteps < 1:
		return nil, errors.Errorf("%s: %d binary-search steps: want at least 1", what, c.binarySteps)
	case c.iterations < 1:
		return nil, errors.Errorf("%s: %d iterations: want at least 1", what, c.iterations)
	case !finite(c.learningRate) || c.learningRate <= 0:
		return nil, errors.Errorf("%s: learning rate %g: want a finite value > 0", what, c.learningRate)
	case !finite(c.initialConst) || c.initialConst <= 0:
		return nil, errors.Errorf("%s: initial constant %g: want a finite value > 0", what, c.initialConst)
	case !finite(c.kappa) || c.kappa < 0:
		return nil, errors.Errorf("%s: kappa %g: want a finite value >= 0", what, c.kappa)
	case c.ctx == nil:
		return nil, errors.Errorf("%s: nil context", what)
	}
	return c, nil
}

// WithRange sets the valid input range [low, high] (default [0, 1]) in the units
// the model takes: every input value must lie in it, and every adversarial value
// is kept in it.
func WithRange(low, high float64) Option { return func(c *config) { c.lo, c.hi = low, high } }

// WithBatchSize sets how many rows the model differentiates or predicts at a time
// (default 64).
func WithBatchSize(n int) Option { return func(c *config) { c.batch = n } }

// WithSeed seeds PGD's random start (default 1): the same seed and options give
// the same adversarial examples. FGSM and CW draw nothing.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithTarget makes the attack targeted: it pushes every row towards the given
// class (one class), or row i towards classes[i] (one per row), and a row succeeds
// when the model predicts its target. Default: untargeted (a row succeeds when the
// model no longer predicts its label).
func WithTarget(classes ...int) Option {
	return func(c *config) { c.targets = append([]int(nil), classes...) }
}

// WithSteps sets PGD's number of iterations (default 20).
func WithSteps(n int) Option { return func(c *config) { c.steps = n } }

// WithStepSize sets PGD's step size α, in input units (L-inf: each value moves by
// α per step; L2: the step has L2 norm α). Default: 2.5*eps/steps, as Madry et al.
func WithStepSize(alpha float64) Option { return func(c *config) { c.stepSize = alpha } }

// WithRandomStart sets whether PGD starts from a random point of the eps-ball
// around each row (default true) or from the row itself.
func WithRandomStart(on bool) Option { return func(c *config) { c.randomStart = on } }

// WithBinarySteps sets CW's number of binary-search steps over the constant c
// (default 9).
func WithBinarySteps(n int) Option { return func(c *config) { c.binarySteps = n } }

// WithIterations sets CW's Adam iterations per binary-search step (default 100,
// fewer than Carlini and Wagner's 1,000-10,000, for speed).
func WithIterations(n int) Option { return func(c *config) { c.iterations = n } }

// WithLearningRate sets CW's Adam learning rate on the tanh variable w (default
// 0.1: Carlini and Wagner's 0.01 needs their thousands of iterations to move
// values that start at an end of the range, where tanh is flat).
func WithLearningRate(lr float64) Option { return func(c *config) { c.learningRate = lr } }

// WithInitialConst sets CW's first constant c, the weight of the logit term
// against the squared L2 distance (default 0.01); the binary search then raises
// or lowers it per row.
func WithInitialConst(c0 float64) Option { return func(c *config) { c.initialConst = c0 } }

// WithKappa sets CW's confidence κ >= 0 (default 0): a row succeeds only when the
// logit it is pushed to beats every other by at least κ.
func WithKappa(k float64) Option { return func(c *config) { c.kappa = k } }

// WithContext lets ctx stop an attack between two steps (default
// context.Background()): the attack then returns ctx's error.
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }
