package trainers

import (
	"math"

	"github.com/gokeras/gokeras/privacy"
	"github.com/pkg/errors"
)

// DPSampling says how DP-SGD draws the examples of each step.
type DPSampling int

const (
	// PoissonSampling (the default) includes each training example in each step
	// independently with probability q = BatchSize/N, so that batch sizes vary
	// around BatchSize: the sampling that the privacy accountant (package
	// privacy) analyses. An epoch is ceil(N/BatchSize) such steps.
	PoissonSampling DPSampling = iota
	// ShuffledSampling shuffles the data each epoch and cuts it into batches of
	// BatchSize (the last one smaller), as a normal Fit does. The epsilon
	// reported for it is the Poisson one at q = BatchSize/N: a common
	// approximation, not a proven bound.
	ShuffledSampling
)

// String is "poisson" or "shuffled".
func (s DPSampling) String() string {
	if s == ShuffledSampling {
		return "shuffled"
	}
	return "poisson"
}

// DPOption sets an optional setting of DPSGD.
type DPOption interface{ applyDP(*DPSGDOption) }

type dpFunc func(*DPSGDOption)

func (f dpFunc) applyDP(d *DPSGDOption) { f(d) }

// WithDPSampling sets how the examples of a step are drawn (default
// PoissonSampling).
func WithDPSampling(s DPSampling) DPOption {
	return dpFunc(func(d *DPSGDOption) {
		if s != PoissonSampling && s != ShuffledSampling {
			d.err = errors.Errorf("DP-SGD: unknown sampling %d", int(s))
		}
		d.sampling = s
	})
}

// DPSGDOption is the FitOption that DPSGD returns: give it to Fit (FitMulti,
// FitDataset...), then read the privacy spent with Spent. It keeps count over
// every Fit it is given to (privacy composes over all of them). One value
// serves one Fit at a time; it is not safe for concurrent use.
type DPSGDOption struct {
	BaseCallback
	clip, noise float64
	sampling    DPSampling
	err         error
	acc         *privacy.Accountant
	rate        float64 // the sampling rate of the last epoch
	steps       int     // the steps taken
	// cache holds the compiled DP programs of the Fit in progress by batch; tr is
	// the trainer they belong to.
	tr    *Trainer
	cache map[int]*dpProgram
}

// DPSGD trains with differentially private SGD (Abadi et al. 2016) under any
// optimizer: each step draws its examples (WithDPSampling; default Poisson
// sampling at rate q = BatchSize/N), computes every example's gradient norm
// ||∇L_i|| over all trainable weights, scales example i by c_i = min(1,
// clipNorm/||∇L_i||) so that its contribution never exceeds clipNorm, adds
// Gaussian noise of standard deviation noiseMultiplier·clipNorm to each
// coordinate of the sum Σ c_i ∇L_i, divides by BatchSize (the expected batch
// size; under ShuffledSampling the batch's own size) and hands the result to
// the trainer's optimizer. L_i is example i's loss (with the output weights
// and any activity penalty); weight penalties (kernel regularizers) depend on
// no data and are added unclipped and without noise.
//
// Per-example gradients come without a program per example: the training graph
// is differentiated once with respect to the pre-activation outputs of the
// Dense and Conv2D layers, and each example's weight gradient norm is computed
// from its layer inputs and those output gradients (for Dense, ||a_i||²·||g_i||²;
// for Conv2D from the example's patches). Only Dense layers on (batch,
// features) inputs and Conv2D layers may have trainable weights; layers without
// weights (activations, pooling, Flatten, Dropout...) are free. Any other layer
// with trainable weights is an error naming it; BatchNormalization is refused
// because batch statistics mix the examples. A layer called twice (shared
// weights), several-input models, Bucketed data, distributed training and row
// (sparse) updates are not supported.
//
// Under Poisson sampling a step's batch size varies around BatchSize while a
// compiled graph has a fixed batch: the step runs in a program of its size
// rounded up to a multiple of about sqrt(BatchSize) rows, padded with repeats
// of its rows that get weight 0 (they change neither the gradient nor the
// metrics), about ten programs in all; see trainEpochDP.
//
// clipNorm must be positive, noiseMultiplier at least 0 (0 clips without noise:
// no privacy). The noise comes from a math/rand source seeded by the trainer's
// seed, so that runs are reproducible; it is not a cryptographically secure
// source, which a deployment protecting real data should use.
func DPSGD(clipNorm, noiseMultiplier float64, opts ...DPOption) *DPSGDOption {
	d := &DPSGDOption{clip: clipNorm, noise: noiseMultiplier, acc: privacy.NewAccountant()}
	switch {
	case !(clipNorm > 0) || math.IsInf(clipNorm, 0):
		d.err = errors.Errorf("DP-SGD: clip norm %g must be positive and finite", clipNorm)
	case !(noiseMultiplier >= 0) || math.IsInf(noiseMultiplier, 0):
		d.err = errors.Errorf("DP-SGD: noise multiplier %g must be at least 0 and finite", noiseMultiplier)
	}
	for _, o := range opts {
		if o != nil && d.err == nil {
			o.applyDP(d)
		}
	}
	return d
}

// applyFit registers d as a callback of the Fit (so that the epoch loop finds
// it) under the option name "dpsgd" (which Evaluate and Predict refuse).
func (d *DPSGDOption) applyFit(c *fitConfig) {
	if d.err != nil && c.err == nil {
		c.err = d.err
	}
	c.callbacks = append(c.callbacks, d)
	c.set["dpsgd"] = true
}

// dpsgdOf returns the DPSGD option among a Fit's callbacks (nil: none).
func dpsgdOf(c fitConfig) *DPSGDOption {
	for _, cb := range c.callbacks {
		if d, ok := cb.(*DPSGDOption); ok {
			return d
		}
	}
	return nil
}

// OnTrainEnd releases the compiled DP programs.
func (d *DPSGDOption) OnTrainEnd(*Trainer, Logs) error {
	d.cache, d.tr = nil, nil
	return nil
}

// ClipNorm is the per-example clipping norm C.
func (d *DPSGDOption) ClipNorm() float64 { return d.clip }

// NoiseMultiplier is sigma: the noise's standard deviation is sigma·C.
func (d *DPSGDOption) NoiseMultiplier() float64 { return d.noise }

// Sampling is how the steps drew their examples.
func (d *DPSGDOption) Sampling() DPSampling { return d.sampling }

// Steps is the number of DP-SGD steps taken so far.
func (d *DPSGDOption) Steps() int { return d.steps }

// SamplingRate is q = BatchSize/N of the last epoch trained (0 before any).
func (d *DPSGDOption) SamplingRate() float64 { return d.rate }

// Spent returns the privacy spent by the steps taken so far at delta (in (0,
// 1)): epsilon by package privacy's RDP accountant of the sampled Gaussian
// mechanism (Improved conversion), composed over every epoch trained. Under
// ShuffledSampling it is the usual approximation (see DPSampling). With no
// noise epsilon is +Inf; before any step it is 0.
func (d *DPSGDOption) Spent(delta float64) (privacy.Spent, error) {
	s := privacy.Spent{Delta: delta, NoiseMultiplier: d.noise, SamplingRate: d.rate, Steps: d.steps, Conversion: privacy.Improved}
	if !(delta > 0 && delta < 1) {
		return s, errors.Errorf("DP-SGD: delta %g must be in (0, 1)", delta)
	}
	if d.noise == 0 && d.steps > 0 {
		s.Epsilon = math.Inf(1)
		return s, nil
	}
	eps, order, err := d.acc.Epsilon(delta)
	if err != nil {
		return s, errors.Wrap(err, "DP-SGD")
	}
	s.Epsilon, s.Order = eps, order
	return s, nil
}

// account records an epoch of steps at rate q.
func (d *DPSGDOption) account(q float64, steps int) error {
	d.rate = q
	if steps == 0 {
		return nil
	}
	d.steps += steps
	if d.noise == 0 {
		return nil
	}
	return errors.Wrap(d.acc.Step(d.noise, q, steps), "DP-SGD: privacy accounting")
}
