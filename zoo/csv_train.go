package zoo

import (
	"context"
	"math"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
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
		test, err = csvRows(p.test, p.numericName, identityRows(rowCount(p.test)))
	} else {
		test, err = csvRows(p.data, p.numericName, p.testIdx)
	}
	if err != nil {
		return nil, err
	}
	model, err := csvModel(p, train, task, hidden, cfg.dropout)
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
	if task == Classification {
		opts = append(opts, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"))
	} else {
		opts = append(opts, trainers.WithLoss("mse"), trainers.WithMetrics("mse", "mae"))
	}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
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
	hist, err := tr.FitMulti(ctx, train, fitOpts...)
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

// csvModel builds the model of TrainCSV and adapts its preprocessing layers to the
// training rows (see TrainCSV).
func csvModel(p *csvParts, train *datasets.Tensors, task CSVTask, hidden []int, dropout float64) (*layers.Functional, error) {
	var ins, feats []*layers.Tensor
	if p.numericName != "" {
		x, err := wholeInput(train, inputIndex(train, p.numericName), datasets.Spec{Name: p.numericName, Shape: []int{p.data.X.Shape()[1]}, DType: p.data.X.Dtype()})
		if err != nil {
			return nil, err
		}
		norm := layers.Normalization(layers.WithName("normalize"))
		if err := norm.Adapt(x); err != nil {
			return nil, err
		}
		in := layers.NewInput(p.numericName, layers.Shape(x.Shape()[1]))
		ins, feats = append(ins, in), append(feats, norm.Apply(in))
	}
	for _, name := range p.data.StringNames {
		i := inputIndex(train, name)
		x, err := wholeInput(train, i, train.Inputs()[i])
		if err != nil {
			return nil, err
		}
		lookup := layers.StringLookup(layers.WithName(name + "_lookup"))
		if err := lookup.Adapt(x); err != nil {
			return nil, err
		}
		in := layers.NewInput(name, layers.Shape(1), layers.String)
		ids := lookup.Apply(in)
		v := lookup.VocabularySize()
		var f *layers.Tensor
		if v <= csvOneHotMax {
			f = layers.CategoryEncoding(v, layers.WithName(name+"_onehot")).Apply(ids)
		} else {
			dim := int(math.Min(16, math.Max(8, math.Ceil(math.Sqrt(float64(v))))))
			f = layers.Flatten(layers.WithName(name + "_flatten")).Apply(
				layers.Embedding(v, dim, layers.WithName(name+"_embedding")).Apply(ids))
		}
		ins, feats = append(ins, in), append(feats, f)
	}
	if len(ins) == 0 {
		return nil, errors.New("the file has no feature column")
	}
	h := feats[0]
	if len(feats) > 1 {
		h = layers.Concatenate(-1, layers.WithName("features")).Apply(feats...)
	}
	for _, w := range hidden {
		h = layers.Dense(w, layers.WithActivation("relu")).Apply(h)
		if dropout > 0 {
			h = layers.Dropout(dropout).Apply(h)
		}
	}
	var out *layers.Tensor
	if task == Classification {
		out = layers.Dense(p.classes, layers.WithActivation("softmax"), layers.WithName(csvOutput)).Apply(h)
	} else {
		y, err := wholeTarget(train)
		if err != nil {
			return nil, err
		}
		unscale := layers.Normalization(layers.WithInvert(true), layers.WithName(csvOutput))
		if err := unscale.Adapt(y); err != nil {
			return nil, err
		}
		out = unscale.Apply(layers.Dense(1, layers.WithName("standardized")).Apply(h))
	}
	m, err := layers.NewModel(ins, []*layers.Tensor{out}, layers.ModelName("csv"))
	if err != nil {
		return nil, err
	}
	if p.classNames != nil {
		if err := layers.SetClassNames(m, p.classNames...); err != nil {
			return nil, err
		}
	}
	return m, nil
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
