package trainers

import (
	"io"
	"math/rand"
	"os"
	"strings"

	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Trainer trains and runs one model. Create it with New.
type Trainer struct {
	model    layers.Model
	opt      Optimizer
	heads    []head
	lossName string // the loss of a model of one output (or "" for several)
	metrics  []string
	seed     int64
	out      io.Writer
	programs map[programKey]*program
	// progUses counts program uses (for least-recently-used eviction); compiled
	// counts compilations; progLimit bounds the cache (WithProgramCacheSize; 0:
	// DefaultProgramCacheSize).
	progUses  uint64
	compiled  int
	progLimit int
	// denseEmbeddings turns updates by rows off (WithDenseEmbeddingUpdates).
	denseEmbeddings bool
	stop            bool
	fit             fitState
	epoch           int // epochs completed
	// cbStates holds the saved states of stateful callbacks by key (loaded with
	// the trainer, or left by the last Fit); cbKeys the stateful callbacks of the
	// Fit in progress. See StatefulCallback.
	cbStates map[string]CallbackState
	cbKeys   []keyedCallback
	comm     distributed.Comm // WithDistributed (nil: this process alone)
	dist     *distState       // the distributed Fit's buffers
}

// fitState describes the Fit in progress, for callbacks.
type fitState struct {
	epochs, steps, verbose int
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
	opt        Optimizer
	optErr     error                 // from WithOptimizerName
	loss       lossChoice            // for every output
	outLoss    map[string]lossChoice // per output name
	lossList   []lossChoice          // per output, in order
	outWeights map[string]float64
	weightList []float64
	metrics    []string // for every output
	outMetrics map[string][]string
	seed       int64
	dtype      tensor.Dtype
	dtypeSet   bool
	out        io.Writer
	// denseEmb is WithDenseEmbeddingUpdates (true) or WithSparseEmbeddingUpdates
	// (false); nil: not set (sparse, or what a loaded file records).
	denseEmb *bool
	// progLimit is WithProgramCacheSize (0: DefaultProgramCacheSize).
	progLimit int
	comm      distributed.Comm // WithDistributed (nil: none)
}

// WithOptimizer sets the optimizer (default Adam(0.001)); see WithOptimizerName
// for one by name.
func WithOptimizer(o Optimizer) Option {
	return optionFunc(func(c *config) { c.opt, c.optErr = o, nil })
}

// WithOptimizerName sets the optimizer by Keras name, with Keras' default settings,
// as Keras' compile(optimizer="adam"): "sgd" (learning rate 0.01, no momentum),
// "adam" (0.001), "adamw" (0.001, weight decay 0.004), "rmsprop" (0.001, rho 0.9)
// or "adagrad" (0.001, initial accumulator 0.1); any case. An unknown name is an
// error of New listing the valid ones. For other settings use WithOptimizer
// (trainers.Adam(0.01, trainers.AMSGrad())).
func WithOptimizerName(name string) Option {
	return optionFunc(func(c *config) {
		c.opt, c.optErr = nil, nil
		lr, ok := KerasLearningRate(name)
		if !ok {
			c.optErr = errors.Errorf("trainers: WithOptimizerName: unknown optimizer %q (valid: %s)", name, strings.Join(OptimizerNames(), ", "))
			return
		}
		c.opt, c.optErr = OptimizerByName(strings.ToLower(strings.TrimSpace(name)), lr)
	})
}

// WithLoss sets the loss of every output by Keras name: mse, mae, huber,
// binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy.
// Fit and Evaluate need a loss for every output (WithLoss, or per output
// WithOutputLoss, WithLossMap, WithLossList); a trainer given none only predicts
// (see also the function Predict).
func WithLoss(name string) Option {
	return optionFunc(func(c *config) { c.loss = lossChoice{name: name} })
}

// WithLossFunc sets the loss of every output to f, a loss of your own (see
// graph.LossFunc: it gets the output node and the target node, of the output's
// shape, and returns a scalar), named name in logs. A trainer with such a loss saves
// its name only: pass the function again to Load.
func WithLossFunc(name string, f graph.LossFunc) Option {
	return optionFunc(func(c *config) { c.loss = lossChoice{name: name, fn: f} })
}

// WithOutputLoss sets the loss of the output named output by Keras name; it wins
// over WithLoss for that output.
func WithOutputLoss(output, name string) Option {
	return optionFunc(func(c *config) { c.setOutLoss(output, lossChoice{name: name}) })
}

// WithOutputLossFunc sets the loss of the output named output to f (see
// WithLossFunc).
func WithOutputLossFunc(output, name string, f graph.LossFunc) Option {
	return optionFunc(func(c *config) { c.setOutLoss(output, lossChoice{name: name, fn: f}) })
}

// WithLossMap sets losses by output name ({"digit": "sparse_categorical_crossentropy",
// "even": "binary_crossentropy"}), as Keras' compile(loss={...}).
func WithLossMap(losses map[string]string) Option {
	return optionFunc(func(c *config) {
		for k, v := range losses {
			c.setOutLoss(k, lossChoice{name: v})
		}
	})
}

// WithLossList sets one loss per output, in the order of the model's outputs, as
// Keras' compile(loss=[...]).
func WithLossList(names ...string) Option {
	return optionFunc(func(c *config) {
		c.lossList = make([]lossChoice, len(names))
		for i, n := range names {
			c.lossList[i] = lossChoice{name: n}
		}
	})
}

// WithLossWeights weights each output's loss in the total by output name (default
// 1 for every output): loss = Σ weight·output_loss + regularization.
func WithLossWeights(weights map[string]float64) Option {
	return optionFunc(func(c *config) {
		if c.outWeights == nil {
			c.outWeights = map[string]float64{}
		}
		for k, v := range weights {
			c.outWeights[k] = v
		}
	})
}

// WithLossWeightList weights the outputs' losses in the order of the model's
// outputs (default 1 each).
func WithLossWeightList(weights ...float64) Option {
	return optionFunc(func(c *config) { c.weightList = append([]float64(nil), weights...) })
}

// WithMetrics adds metrics by Keras name for every output (default none; the loss is
// always reported): accuracy, binary_accuracy, categorical_accuracy,
// sparse_categorical_accuracy, mae, mse, rmse, precision, recall, auc. A model of
// several outputs logs them as "<output>_<metric>" ("click_auc").
func WithMetrics(names ...string) Option {
	return optionFunc(func(c *config) { c.metrics = append(c.metrics, names...) })
}

// WithOutputMetrics adds metrics for the output named output only.
func WithOutputMetrics(output string, names ...string) Option {
	return optionFunc(func(c *config) {
		if c.outMetrics == nil {
			c.outMetrics = map[string][]string{}
		}
		c.outMetrics[output] = append(c.outMetrics[output], names...)
	})
}

func (c *config) setOutLoss(output string, l lossChoice) {
	if c.outLoss == nil {
		c.outLoss = map[string]lossChoice{}
	}
	c.outLoss[output] = l
}

// WithSeed seeds everything random in training (default layers.DefaultSeed): the
// model's initial weights when New builds it, shuffling and dropout masks. The same
// seed gives bit-identical weights on the same machine. A model built before New
// (by its Build, by layers.Load, by an earlier trainer) keeps its weights: the seed
// then seeds shuffling and dropout only. Summary and ToDot do not build a model,
// so model.Summary() before New does not fix its seed.
func WithSeed(seed int64) Option { return optionFunc(func(c *config) { c.seed = seed }) }

// WithDType sets the float type the model is built with when New builds it:
// tensor.Float32 (default) or tensor.Float64. A model built before New as another
// dtype is an error of New naming both (build it with layers.WithDType, or make a
// new model); Summary and ToDot do not build a model.
func WithDType(dt tensor.Dtype) Option {
	return optionFunc(func(c *config) { c.dtype, c.dtypeSet = dt, true })
}

// WithOutput sets where progress is written (default os.Stdout, looked up at each
// Fit, so a notebook kernel that replaces stdout per cell still works). A progress bar
// redraws one line per step only when the output is a terminal.
func WithOutput(w io.Writer) Option { return optionFunc(func(c *config) { c.out = w }) }

// New returns a Trainer for model, building the model first if it is not built
// (with WithSeed and WithDType). It checks every name (loss, metrics) and the
// optimizer's settings, and that the loss fits the model's output.
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
	} else if c.dtypeSet && model.DType() != c.dtype {
		return nil, errors.Errorf("trainers: WithDType(%v) asks for a %v model, but the model is already built as %v (by its Build, layers.Load or an earlier trainer): WithDType applies only when New builds the model; build it with layers.WithDType(%v), or make a new model", c.dtype, c.dtype, model.DType(), c.dtype)
	}
	heads, err := makeHeads(model.Outputs(), &c)
	if err != nil {
		return nil, err
	}
	for _, in := range model.Inputs() {
		if in.Name == "" {
			return nil, errors.New("trainers: the model has an unnamed input")
		}
	}
	if c.optErr != nil {
		return nil, c.optErr
	}
	if c.opt == nil {
		c.opt = Adam(0.001)
	}
	if err := checkOptimizer(c.opt); err != nil {
		return nil, errors.Wrap(err, "trainers")
	}
	return &Trainer{
		model: model, opt: c.opt, heads: heads, metrics: c.metrics,
		seed: c.seed, out: c.out,
		programs: map[programKey]*program{}, lossName: singleLoss(heads),
		denseEmbeddings: c.denseEmb != nil && *c.denseEmb,
		progLimit:       c.progLimit, comm: c.comm,
	}, nil
}

// singleLoss is the loss name of a model of one output, "" otherwise.
func singleLoss(heads []head) string {
	if len(heads) == 1 {
		return heads[0].lossName
	}
	return ""
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

// output is where progress goes: WithOutput's writer, or the current os.Stdout.
func (t *Trainer) output() io.Writer {
	if t.out != nil {
		return t.out
	}
	return os.Stdout
}
