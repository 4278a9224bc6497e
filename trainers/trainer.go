package trainers

import (
	"io"
	"math/rand"
	"os"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers/metrics"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Trainer trains and runs one model. Create it with New.
type Trainer struct {
	model    layers.Model
	opt      Optimizer
	lossName string
	loss     graph.LossFunc
	metrics  []string
	seed     int64
	out      io.Writer
	programs map[programKey]*program
	stop     bool
	fit      fitState
	epoch    int // epochs completed
}

// fitState describes the Fit in progress, for callbacks.
type fitState struct {
	epochs, steps int
}

// Epochs is the number of epochs of the Fit in progress (or the last one).
func (t *Trainer) Epochs() int { return t.fit.epochs }

// StepsPerEpoch is the number of batches per epoch of the Fit in progress.
func (t *Trainer) StepsPerEpoch() int { return t.fit.steps }

// Option sets an optional setting of a Trainer.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	opt     Optimizer
	loss    string
	metrics []string
	seed    int64
	dtype   tensor.Dtype
	out     io.Writer
}

// WithOptimizer sets the optimizer (default Adam(0.001)).
func WithOptimizer(o Optimizer) Option { return optionFunc(func(c *config) { c.opt = o }) }

// WithLoss sets the loss by Keras name (required): mse, mae, huber,
// binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy.
func WithLoss(name string) Option { return optionFunc(func(c *config) { c.loss = name }) }

// WithMetrics adds metrics by Keras name (default none; the loss is always
// reported): accuracy, binary_accuracy, categorical_accuracy,
// sparse_categorical_accuracy, mae, mse, rmse, precision, recall, auc.
func WithMetrics(names ...string) Option {
	return optionFunc(func(c *config) { c.metrics = append(c.metrics, names...) })
}

// WithSeed seeds everything random in training (default layers.DefaultSeed): the
// model's initial weights when New builds it, shuffling and dropout masks. The same
// seed gives bit-identical weights on the same machine.
func WithSeed(seed int64) Option { return optionFunc(func(c *config) { c.seed = seed }) }

// WithDType sets the float type the model is built with when New builds it:
// tensor.Float32 (default) or tensor.Float64. It has no effect on a built model.
func WithDType(dt tensor.Dtype) Option { return optionFunc(func(c *config) { c.dtype = dt }) }

// WithOutput sets where progress is written (default os.Stdout, looked up at each
// Fit, so a notebook kernel that replaces stdout per cell still works). A progress bar
// redraws one line per step only when the output is a terminal.
func WithOutput(w io.Writer) Option { return optionFunc(func(c *config) { c.out = w }) }

// New returns a Trainer for model, building the model first if it is not built.
// It checks every name (loss, metrics) and the optimizer's settings, and that the
// loss fits the model's output.
func New(model layers.Model, opts ...Option) (*Trainer, error) {
	c := config{seed: layers.DefaultSeed, dtype: tensor.Float32}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if model == nil {
		return nil, errors.New("trainers: nil model")
	}
	if !model.Built() {
		if err := model.Build(layers.WithSeed(c.seed), layers.WithDType(c.dtype)); err != nil {
			return nil, errors.Wrap(err, "trainers: build model")
		}
	}
	if c.loss == "" {
		return nil, errors.Errorf("trainers: no loss given: use trainers.WithLoss (valid: %s)", strings.Join(graph.LossNames(), ", "))
	}
	loss, err := graph.Loss(c.loss)
	if err != nil {
		return nil, errors.Wrap(err, "trainers")
	}
	out := model.OutputShape()
	if isSparse(c.loss) && len(out) != 1 {
		return nil, errors.Errorf("trainers: %s needs an output of shape (classes), the model gives %v", c.loss, out)
	}
	width := 1
	for _, d := range out {
		width *= d
	}
	for _, m := range c.metrics {
		if _, err := metrics.New(m, c.loss, width); err != nil {
			return nil, errors.Wrap(err, "trainers")
		}
	}
	if c.opt == nil {
		c.opt = Adam(0.001)
	}
	if err := checkOptimizer(c.opt); err != nil {
		return nil, errors.Wrap(err, "trainers")
	}
	return &Trainer{
		model: model, opt: c.opt, lossName: c.loss, loss: loss, metrics: c.metrics,
		seed: c.seed, out: c.out,
		programs: map[programKey]*program{},
	}, nil
}

// checkOptimizer reports a settings error of this package's optimizers early.
func checkOptimizer(o Optimizer) error {
	type errHolder interface{ configErr() error }
	if e, ok := o.(errHolder); ok {
		return e.configErr()
	}
	return nil
}

func (o *baseOpt) configErr() error { return o.err }

func isSparse(loss string) bool { return loss == "sparse_categorical_crossentropy" }

// epochRand is the random source of one epoch (shuffling and dropout masks),
// derived from the seed and the epoch alone, so that training resumed at an epoch
// draws exactly what uninterrupted training would have.
func epochRand(seed int64, epoch int) *rand.Rand {
	// splitmix64 of (seed, epoch) spreads nearby seeds and epochs apart.
	z := uint64(seed) + uint64(epoch+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return rand.New(rand.NewSource(int64(z ^ (z >> 31))))
}

// Seed is the trainer's seed (WithSeed).
func (t *Trainer) Seed() int64 { return t.seed }

// Model returns the trained model.
func (t *Trainer) Model() layers.Model { return t.model }

// Optimizer returns the optimizer.
func (t *Trainer) Optimizer() Optimizer { return t.opt }

// StopTraining asks Fit to stop after the current epoch; callbacks call it.
func (t *Trainer) StopTraining() { t.stop = true }

// Close releases the compiled programs.
func (t *Trainer) Close() error {
	for k, p := range t.programs {
		p.close()
		delete(t.programs, k)
	}
	return nil
}

// targetShape is the per-example target shape the loss expects.
func (t *Trainer) targetShape() []int {
	if isSparse(t.lossName) {
		return []int{1}
	}
	return t.model.OutputShape()
}

// output is where progress goes: WithOutput's writer, or the current os.Stdout.
func (t *Trainer) output() io.Writer {
	if t.out != nil {
		return t.out
	}
	return os.Stdout
}
