package zoo

import (
	"context"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// CSVTask is what TrainCSV learns: "classification" (the target holds classes:
// strings or integer ids) or "regression" (a number).
type CSVTask string

// The tasks of TrainCSV.
const (
	Classification CSVTask = "classification"
	Regression     CSVTask = "regression"
)

// csvDefaults are the settings a zero field takes in TrainCSV.
func csvDefaults() Settings { return Settings{Epochs: 50, BatchSize: 32, LR: 0.005, Seed: 42} }

// TrainCSV trains an MLP on any CSV file: target is the target column's name
// ("" for the last column), hidden the widths of the ReLU layers (nil: 64, 32).
// 20% of the rows are held out (stratified by class for classification), the
// features are standardized with statistics of the training rows, string feature
// columns become integer codes. Classification uses a softmax output and
// sparse_categorical_crossentropy with accuracy; regression a linear output, mse
// and mae. The Result's Model is "csv".
func TrainCSV(ctx context.Context, path, target string, task CSVTask, hidden []int, s Settings) (*Result, error) {
	if task != Classification && task != Regression {
		return nil, errors.Errorf("zoo: csv task %q (valid: classification, regression)", task)
	}
	if hidden == nil {
		hidden = []int{64, 32}
	}
	var opts []datasets.CSVOption
	if target != "" {
		opts = append(opts, datasets.CSVTarget(target))
	}
	data, err := datasets.ReadCSV(path, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "zoo: csv")
	}
	all, err := data.Dataset()
	if err != nil {
		return nil, errors.Wrap(err, "zoo: csv")
	}
	features := all.XShape()[0]
	sp := spec{
		split: func(seed int64) (datasets.Dataset, datasets.Dataset, error) {
			var train, test datasets.Dataset
			var err error
			if task == Classification {
				train, test, err = datasets.StratifiedSplit(all, testFraction, seed)
			} else {
				train, test, err = datasets.TrainTestSplit(all, testFraction, seed)
			}
			if err != nil {
				return nil, nil, err
			}
			return standardizeParts(train, test)
		},
		optimizer: adamCosine,
	}
	if task == Classification {
		classes, err := data.NumClasses()
		if err != nil {
			return nil, errors.Wrap(err, "zoo: csv")
		}
		sp.model, sp.loss, sp.metrics = sequential(classifier(features, hidden, classes)), "sparse_categorical_crossentropy", []string{"accuracy"}
	} else {
		sp.model = sequential(regressor(features, hidden))
		sp.loss, sp.metrics = "mse", []string{"mae"}
	}
	return newRecipe("csv", "MLP on "+path, "", csvDefaults(), sp).Run(ctx, s)
}

// regressor is an MLP with a linear output unit.
func regressor(in int, hidden []int) func() *layers.Sequential {
	return func() *layers.Sequential {
		ls := []layers.Layer{layers.Input(in)}
		for _, h := range hidden {
			ls = append(ls, layers.Dense(h, layers.WithActivation("relu")))
		}
		return layers.NewSequential(append(ls, layers.Dense(1))...)
	}
}

// standardizeParts materializes train and test and standardizes both with the
// training part's statistics.
func standardizeParts(train, test datasets.Dataset) (datasets.Dataset, datasets.Dataset, error) {
	tr, err := datasets.Materialize(train)
	if err != nil {
		return nil, nil, err
	}
	te, err := datasets.Materialize(test)
	if err != nil {
		return nil, nil, err
	}
	var sc datasets.StandardScaler
	if err := sc.Fit(tr.X()); err != nil {
		return nil, nil, errors.Wrap(err, "fit the scaler")
	}
	if tr, err = sc.TransformDataset(tr); err != nil {
		return nil, nil, err
	}
	te, err = sc.TransformDataset(te)
	return tr, te, err
}
