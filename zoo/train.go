package zoo

import (
	"context"
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
	// model returns a fresh, unbuilt model.
	model func() *layers.Sequential
	// loss and metrics are Keras names.
	loss    string
	metrics []string
	// optimizer returns the optimizer for peak learning rate lr and a run of
	// steps optimizer steps in all.
	optimizer func(lr float64, steps int) trainers.Optimizer
	// extra, when set, computes Result.Extra after training.
	extra func(model *layers.Sequential, train datasets.Dataset) (map[string]float64, error)
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
			return res, nil
		},
	}
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
	model := sp.model()
	steps := s.Epochs * ((train.Len() + s.BatchSize - 1) / s.BatchSize)
	opts := []trainers.Option{
		trainers.WithLoss(sp.loss),
		trainers.WithMetrics(sp.metrics...),
		trainers.WithOptimizer(sp.optimizer(s.LR, steps)),
		trainers.WithSeed(s.Seed),
	}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	tr, err := trainers.New(model, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	defer tr.Close()
	start := time.Now()
	hist, err := tr.FitDataset(ctx, train,
		trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose))
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	res := &Result{
		Epochs:   len(hist.Epoch),
		Seconds:  time.Since(start).Seconds(),
		Summary:  model.Summary(),
		History:  hist,
		Trainer:  tr,
		TestData: test,
	}
	if res.Train, err = evaluate(ctx, tr, train); err != nil {
		return nil, errors.Wrap(err, "evaluate on the training split")
	}
	if res.Test, err = evaluate(ctx, tr, test); err != nil {
		return nil, errors.Wrap(err, "evaluate on the test split")
	}
	if sp.extra != nil {
		if res.Extra, err = sp.extra(model, train); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// evaluate returns the trainer's loss and metrics on ds as a plain map.
func evaluate(ctx context.Context, tr *trainers.Trainer, ds datasets.Dataset) (map[string]float64, error) {
	logs, err := tr.EvaluateDataset(ctx, ds, trainers.BatchSize(evalBatch))
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
func (sp spec) trainTest(seed int64) (train, test datasets.Dataset, err error) {
	if sp.split != nil {
		train, test, err = sp.split(seed)
		return train, test, errors.Wrap(err, "load the data")
	}
	all, err := sp.data(seed)
	if err != nil {
		return nil, nil, errors.Wrap(err, "make the data")
	}
	train, test, err = datasets.TrainTestSplit(all, testFraction, seed)
	return train, test, errors.Wrap(err, "split the data")
}
