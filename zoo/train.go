package zoo

import (
	"context"
	"sort"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// testFraction is the share of each recipe's data held out for testing.
const testFraction = 0.2

// evalBatch is the batch size of the final evaluations: any size gives the same
// means, a large one is faster.
const evalBatch = 256

// spec describes how a recipe builds its data and model and trains them.
type spec struct {
	// data returns the whole data set, before the train/test split.
	data func(seed int64) (datasets.Dataset, error)
	// split, when set, replaces data and the random split: it returns the train
	// and test parts (a real data set's own split, preprocessed).
	split func(seed int64) (train, test datasets.Dataset, err error)
	// multi, when set, replaces data and split: it returns train and test parts
	// of several (named) inputs or targets, for a model of several inputs or
	// outputs. Named tensors feed the model's inputs and outputs of those names.
	multi func(seed int64) (train, test datasets.Multi, err error)
	// model returns a fresh, unbuilt model: a *layers.Sequential (see
	// sequential) or a *layers.Functional.
	model func() (layers.Model, error)
	// loss is the Keras name of the loss of every output that losses does not
	// name; losses maps output names to their own loss.
	loss   string
	losses map[string]string
	// lossWeights weighs the outputs' losses in the total loss (1 for an output
	// it does not name).
	lossWeights map[string]float64
	// metrics are the Keras names of the metrics of every output; outMetrics adds
	// metrics to the outputs it names.
	metrics    []string
	outMetrics map[string][]string
	// optimizer returns the optimizer for peak learning rate lr and a run of
	// steps optimizer steps in all.
	optimizer func(lr float64, steps int) trainers.Optimizer
	// adapt, when set, fits the model's preprocessing layers (Normalization,
	// lookups) to the training part before the trainer is made.
	adapt func(model layers.Model, train datasets.Multi) error
	// extra, when set, computes Result.Extra after training.
	extra func(model layers.Model, train datasets.Multi) (map[string]float64, error)
}

// sequential adapts a builder of a Sequential model to spec.model.
func sequential(build func() *layers.Sequential) func() (layers.Model, error) {
	return func() (layers.Model, error) { return build(), nil }
}

// newRecipe returns a Recipe whose Run fills the settings from defaults and runs sp.
func newRecipe(name, description, expected string, defaults Settings, sp spec) Recipe {
	return Recipe{
		Name:        name,
		Description: description,
		Expected:    expected,
		Defaults:    defaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			s, err := s.withDefaults(defaults)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: settings", name)
			}
			res, err := sp.run(ctx, s)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q", name)
			}
			res.Model = name
			res.Settings = s
			res.Settings.Out = nil
			return res, nil
		},
	}
}

// trainerOptions returns the trainer's loss, weight and metric options of sp.
func (sp spec) trainerOptions() []trainers.Option {
	var opts []trainers.Option
	if sp.loss != "" {
		opts = append(opts, trainers.WithLoss(sp.loss))
	}
	if len(sp.losses) > 0 {
		opts = append(opts, trainers.WithLossMap(sp.losses))
	}
	if len(sp.lossWeights) > 0 {
		opts = append(opts, trainers.WithLossWeights(sp.lossWeights))
	}
	opts = append(opts, trainers.WithMetrics(sp.metrics...))
	for _, out := range sortedKeys(sp.outMetrics) {
		opts = append(opts, trainers.WithOutputMetrics(out, sp.outMetrics[out]...))
	}
	return opts
}

// run builds the data and the model, trains on the training split and evaluates on
// both splits.
func (sp spec) run(ctx context.Context, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	train, test, err := sp.trainTest(s.Seed)
	if err != nil {
		return nil, err
	}
	model, err := sp.model()
	if err != nil {
		return nil, errors.Wrap(err, "make the model")
	}
	if sp.adapt != nil {
		if err := sp.adapt(model, train); err != nil {
			return nil, errors.Wrap(err, "adapt the preprocessing layers")
		}
	}
	steps := s.Epochs * ((train.Len()-1)/s.BatchSize + 1)
	opts := append(sp.trainerOptions(),
		trainers.WithOptimizer(sp.optimizer(s.LR, steps)),
		trainers.WithSeed(s.Seed))
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	opts = s.trainerOpts(opts...)
	tr, err := trainers.New(model, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	defer tr.Close()
	res, err := fitAndEvaluate(ctx, tr, model, train, test, s)
	if err != nil {
		return nil, err
	}
	if sp.extra != nil {
		if res.Extra, err = sp.extra(model, train); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// fitAndEvaluate trains tr on train for s's epochs, batch size and verbosity
// (with s's extra fit options, then more), and returns the Result of the run:
// its history and time, and the loss and metrics on both splits.
func fitAndEvaluate(ctx context.Context, tr *trainers.Trainer, model layers.Model, train, test datasets.Multi, s Settings,
	more ...trainers.FitOption) (*Result, error) {
	start := time.Now()
	hist, err := tr.FitMulti(ctx, train, s.fitOpts(append([]trainers.FitOption{
		trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose)}, more...)...)...)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	res := &Result{
		Epochs:    len(hist.Epoch),
		Seconds:   time.Since(start).Seconds(),
		Summary:   model.Summary(),
		History:   hist,
		Trainer:   tr,
		TestMulti: test,
	}
	if len(test.Inputs()) == 1 && len(test.Targets()) == 1 {
		if res.TestData, err = datasets.AsDataset(test); err != nil {
			return nil, errors.Wrap(err, "test split")
		}
	}
	if res.Train, err = evaluate(ctx, tr, train); err != nil {
		return nil, errors.Wrap(err, "evaluate on the training split")
	}
	if res.Test, err = evaluate(ctx, tr, test); err != nil {
		return nil, errors.Wrap(err, "evaluate on the test split")
	}
	return res, nil
}

// evaluate returns the trainer's loss and metrics on ds as a plain map.
func evaluate(ctx context.Context, tr *trainers.Trainer, ds datasets.Multi) (map[string]float64, error) {
	logs, err := tr.EvaluateMulti(ctx, ds, trainers.BatchSize(evalBatch))
	if err != nil {
		return nil, err
	}
	m := make(map[string]float64, len(logs))
	for k, v := range logs {
		m[k] = v
	}
	return m, nil
}

// trainTest returns the recipe's train and test parts.
func (sp spec) trainTest(seed int64) (train, test datasets.Multi, err error) {
	if sp.multi != nil {
		train, test, err = sp.multi(seed)
		return train, test, errors.Wrap(err, "make the data")
	}
	var trainDS, testDS datasets.Dataset
	if sp.split != nil {
		if trainDS, testDS, err = sp.split(seed); err != nil {
			return nil, nil, errors.Wrap(err, "load the data")
		}
	} else {
		all, err := sp.data(seed)
		if err != nil {
			return nil, nil, errors.Wrap(err, "make the data")
		}
		if trainDS, testDS, err = datasets.TrainTestSplit(all, testFraction, seed); err != nil {
			return nil, nil, errors.Wrap(err, "split the data")
		}
	}
	return datasets.AsMulti(trainDS), datasets.AsMulti(testDS), nil
}

// sortedKeys returns the keys of m in sorted order, so that options built from a
// map come in the same order on every run.
func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
