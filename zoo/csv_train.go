package zoo

import (
	"context"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// csvOneHotMax is the largest vocabulary (out-of-vocabulary id included) that a
// string column one-hot encodes; larger ones get an Embedding (measured on
// bench/csvcompare: a 20-value column with interactions learned better embedded).
const csvOneHotMax = 10

// Early stopping and learning-rate reduction of TrainCSV: the rate halves when the
// validation loss has not improved for csvPlateau epochs, down to 1% of the peak.
const (
	csvPlateau      = 8
	csvPlateauScale = 0.5
	csvMinLRShare   = 0.01
)

// trainCSVParts splits off the validation rows, builds and adapts the model on the
// rest, trains it with early stopping and evaluates it on both splits.
func trainCSVParts(ctx context.Context, p *csvParts, task CSVTask, hidden []int, s Settings, cfg csvConfig) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	fitIdx, valIdx := p.trainIdx, []int(nil)
	if cfg.patience > 0 {
		var labels []float64
		if task == Classification {
			all := p.data.Y.Data().([]float64)
			labels = make([]float64, len(p.trainIdx))
			for j, i := range p.trainIdx {
				labels[j] = all[i]
			}
		}
		keep, out := splitRows(len(p.trainIdx), labels, cfg.validation, s.Seed+1)
		fitIdx, valIdx = pick(p.trainIdx, keep), pick(p.trainIdx, out)
		if len(valIdx) == 0 || len(fitIdx) == 0 {
			return nil, errors.Errorf("%d training rows are too few to hold out %g of them for early stopping", len(p.trainIdx), cfg.validation)
		}
	}
	train, err := csvRows(p.data, p.numericName, fitIdx)
	if err != nil {
		return nil, err
	}
	var test *datasets.Tensors
	if p.test != nil {
		test, err = csvRows(p.test, p.numericName, identityRows(rowCount(p.test.CSVData)))
	} else {
		test, err = csvRows(p.data, p.numericName, p.testIdx)
	}
	if err != nil {
		return nil, err
	}
	model, err := csvModel(p, train, task, hidden, cfg)
	if err != nil {
		return nil, errors.Wrap(err, "make the model")
	}
	// With early stopping the rate halves on plateaus of the validation loss;
	// without, it decays along a half cosine over the epochs.
	opt := trainers.Adam(s.LR)
	if valIdx == nil {
		opt = adamCosine(s.LR, s.Epochs*((train.Len()-1)/s.BatchSize+1))
	}
	opts := []trainers.Option{trainers.WithOptimizer(opt), trainers.WithSeed(s.Seed)}
	switch {
	case task == Classification && p.classes == 2:
		opts = append(opts, trainers.WithLoss("binary_crossentropy"), trainers.WithMetrics("accuracy", "auc"))
	case task == Classification:
		opts = append(opts, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"))
	default:
		opts = append(opts, trainers.WithLoss("mse"), trainers.WithMetrics("mse", "mae"))
	}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	opts = s.trainerOpts(opts...)
	tr, err := trainers.New(model, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	defer tr.Close()
	fitOpts := []trainers.FitOption{trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose)}
	if valIdx != nil {
		val, err := csvRows(p.data, p.numericName, valIdx)
		if err != nil {
			return nil, err
		}
		fitOpts = append(fitOpts, trainers.ValidationMulti(val), trainers.Callbacks(
			&trainers.ReduceLROnPlateau{Factor: csvPlateauScale, Patience: csvPlateau, MinLR: s.LR * csvMinLRShare},
			&trainers.EarlyStopping{Monitor: "val_loss", Patience: cfg.patience, RestoreBestWeights: true}))
	}
	start := time.Now()
	hist, err := tr.FitMulti(ctx, train, s.fitOpts(fitOpts...)...)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	res := &Result{Epochs: len(hist.Epoch), Seconds: time.Since(start).Seconds(), Summary: model.Summary(),
		History: hist, Trainer: tr, TestMulti: test}
	if res.Train, err = evaluate(ctx, tr, train); err != nil {
		return nil, errors.Wrap(err, "evaluate on the training rows")
	}
	if res.Test, err = evaluate(ctx, tr, test); err != nil {
		return nil, errors.Wrap(err, "evaluate on the test rows")
	}
	return res, nil
}

// pick returns idx[k] for every k of at.
func pick(idx, at []int) []int {
	out := make([]int, len(at))
	for j, k := range at {
		out[j] = idx[k]
	}
	return out
}

// inputIndex is the position of the input named name in m.
func inputIndex(m datasets.Multi, name string) int {
	for i, s := range m.Inputs() {
		if s.Name == name {
			return i
		}
	}
	return -1
}
