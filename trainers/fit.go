package trainers

import (
	"context"
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers/metrics"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Fit trains the model on examples x, shape (N, input...), and targets y, shape
// (N, output...) or (N, 1) for sparse_categorical_crossentropy; float32 or float64.
// See FitDataset.
func (t *Trainer) Fit(ctx context.Context, x, y *tensor.Dense, opts ...FitOption) (*History, error) {
	ds, err := datasets.NewTensor(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	return t.FitDataset(ctx, ds, opts...)
}

// FitDataset trains the model on ds for Epochs (default 1) epochs at BatchSize
// (default 32), shuffling each epoch with the trainer's seeded source (Shuffle), and
// returns the History of the epochs run. The data is checked before any step (see
// the package documentation). Training stops cleanly between steps when ctx is
// cancelled: Fit then returns the History so far and an error wrapping ctx.Err().
func (t *Trainer) FitDataset(ctx context.Context, ds datasets.Dataset, opts ...FitOption) (*History, error) {
	c, err := newFitConfig("fit", nil, opts)
	if err != nil {
		return nil, err
	}
	train, val, err := t.splitValidation(ds, c)
	if err != nil {
		return nil, err
	}
	if err := t.checkData("fit", train); err != nil {
		return nil, err
	}
	if val != nil {
		if err := t.checkData("fit: validation data", val); err != nil {
			return nil, err
		}
	}
	hist := &History{}
	t.fit = fitState{epochs: c.epochs, steps: (train.Len() + c.batch - 1) / c.batch}
	cbs := append([]Callback{hist}, progressCallbacks(t.output(), c.verbose)...)
	cbs = append(cbs, c.callbacks...)
	t.stop = false
	for _, cb := range cbs {
		if err := cb.OnTrainBegin(t); err != nil {
			return hist, errors.Wrap(err, "fit: callback")
		}
	}
	var logs Logs
	for epoch := c.initialEpoch; epoch < c.epochs && !t.stop; epoch++ {
		for _, cb := range cbs {
			if err := cb.OnEpochBegin(t, epoch); err != nil {
				return hist, errors.Wrap(err, "fit: callback")
			}
		}
		if logs, err = t.trainEpoch(ctx, train, c, epoch, cbs); err != nil {
			return hist, err
		}
		if val != nil {
			vl, err := t.evaluate(ctx, val, c.batch)
			if err != nil {
				return hist, errors.Wrap(err, "fit: validation")
			}
			for k, v := range vl {
				logs["val_"+k] = v
			}
		}
		t.epoch = epoch + 1
		for _, cb := range cbs {
			if err := cb.OnEpochEnd(t, epoch, logs); err != nil {
				return hist, errors.Wrap(err, "fit: callback")
			}
		}
	}
	for _, cb := range cbs {
		if err := cb.OnTrainEnd(t, logs); err != nil {
			return hist, errors.Wrap(err, "fit: callback")
		}
	}
	return hist, nil
}

func (t *Trainer) splitValidation(ds datasets.Dataset, c fitConfig) (train, val datasets.Dataset, err error) {
	if ds == nil {
		return nil, nil, errors.New("fit: no data")
	}
	switch {
	case c.set["validation_split"]:
		if ds.Len() < 2 {
			return nil, nil, errors.Errorf("fit: %d example(s) cannot be split for validation", ds.Len())
		}
		train, val, err = datasets.SplitTail(ds, c.split)
		return train, val, errors.Wrap(err, "fit: validation split")
	case c.valDS != nil:
		return ds, c.valDS, nil
	case c.valX != nil || c.valY != nil:
		v, err := datasets.NewTensor(c.valX, c.valY)
		return ds, v, errors.Wrap(err, "fit: validation data")
	}
	return ds, nil, nil
}

// trainEpoch runs one epoch of steps and returns its logs: the loss and metrics
// averaged over every example of the epoch.
func (t *Trainer) trainEpoch(ctx context.Context, ds datasets.Dataset, c fitConfig, epoch int, cbs []Callback) (Logs, error) {
	rng := epochRand(t.seed, epoch)
	batches, err := datasets.Batches(ds.Len(), c.batch, c.shuffle, rng)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	ms, err := t.newMetrics()
	if err != nil {
		return nil, err
	}
	var lossSum float64
	seen := 0
	var predBuf, targetBuf []float64
	logs := Logs{}
	for b, idx := range batches {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "fit: stopped in epoch %d before batch %d", epoch, b)
		}
		p, err := t.program(trainProgram, len(idx))
		if err != nil {
			return nil, errors.Wrapf(err, "fit: compile the training program for batch %d", len(idx))
		}
		if err := ds.Gather(idx, p.x, p.y); err != nil {
			return nil, errors.Wrap(err, "fit: gather batch")
		}
		if err := p.run(rng); err != nil {
			return nil, errors.Wrapf(err, "fit: epoch %d batch %d", epoch, b)
		}
		loss, err := p.lossValue()
		if err != nil {
			return nil, errors.Wrap(err, "fit")
		}
		if err := t.opt.Step(p.params, p.gradTs); err != nil {
			return nil, errors.Wrap(err, "fit: optimizer step")
		}
		lossSum += loss * float64(len(idx))
		seen += len(idx)
		if len(ms) > 0 {
			predBuf, targetBuf = toFloat64s(p.output(), predBuf), toFloat64s(p.y, targetBuf)
			if err := updateMetrics(ms, predBuf, targetBuf, len(idx)); err != nil {
				return nil, err
			}
		}
		logs["loss"] = lossSum / float64(seen)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			logs["loss"] = loss
		}
		for _, m := range ms {
			logs[m.Name()] = m.Result()
		}
		for _, cb := range cbs {
			if err := cb.OnBatchEnd(t, epoch, b, logs); err != nil {
				return nil, errors.Wrap(err, "fit: callback")
			}
		}
		if t.stop {
			break
		}
	}
	return logs.clone(), nil
}

func (t *Trainer) newMetrics() ([]metrics.Metric, error) {
	width := prod(t.model.OutputShape())
	ms := make([]metrics.Metric, len(t.metrics))
	for i, name := range t.metrics {
		m, err := metrics.New(name, t.lossName, width)
		if err != nil {
			return nil, errors.Wrap(err, "metrics")
		}
		ms[i] = m
	}
	return ms, nil
}

func updateMetrics(ms []metrics.Metric, pred, target []float64, rows int) error {
	for _, m := range ms {
		if err := m.Update(pred, len(pred)/rows, target, len(target)/rows); err != nil {
			return errors.Wrapf(err, "metric %s", m.Name())
		}
	}
	return nil
}

// toFloat64s copies t's values into buf (grown as needed) as float64.
func toFloat64s(t *tensor.Dense, buf []float64) []float64 {
	n := t.Shape().TotalSize()
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []float64:
		copy(buf, d)
	}
	return buf
}
