package trainers

import (
	"context"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Evaluate returns the loss and metrics of the model on (x, y), in inference mode
// (dropout off), averaged over every example. It takes BatchSize (default 32) and
// Verbose (ignored: evaluation prints nothing).
func (t *Trainer) Evaluate(ctx context.Context, x, y *tensor.Dense, opts ...FitOption) (Logs, error) {
	ds, err := datasets.NewTensor(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	return t.EvaluateDataset(ctx, ds, opts...)
}

// EvaluateDataset is Evaluate on a data set.
func (t *Trainer) EvaluateDataset(ctx context.Context, ds datasets.Dataset, opts ...FitOption) (Logs, error) {
	c, err := newFitConfig("evaluate", []string{"batch", "verbose"}, opts)
	if err != nil {
		return nil, err
	}
	if err := t.checkData("evaluate", ds); err != nil {
		return nil, err
	}
	return t.evaluate(ctx, ds, c.batch)
}

func (t *Trainer) evaluate(ctx context.Context, ds datasets.Dataset, batch int) (Logs, error) {
	batches, err := datasets.Batches(ds.Len(), batch, false, nil)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	ms, err := t.newMetrics()
	if err != nil {
		return nil, err
	}
	var lossSum float64
	var predBuf, targetBuf []float64
	for _, idx := range batches {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrap(err, "evaluate: stopped")
		}
		p, err := t.program(evalProgram, len(idx))
		if err != nil {
			return nil, errors.Wrapf(err, "evaluate: compile the program for batch %d", len(idx))
		}
		if err := ds.Gather(idx, p.x, p.y); err != nil {
			return nil, errors.Wrap(err, "evaluate: gather batch")
		}
		if err := p.run(nil); err != nil {
			return nil, errors.Wrap(err, "evaluate")
		}
		loss, err := p.lossValue()
		if err != nil {
			return nil, errors.Wrap(err, "evaluate")
		}
		lossSum += loss * float64(len(idx))
		if len(ms) > 0 {
			predBuf, targetBuf = toFloat64s(p.output(), predBuf), toFloat64s(p.y, targetBuf)
			if err := updateMetrics(ms, predBuf, targetBuf, len(idx)); err != nil {
				return nil, err
			}
		}
	}
	logs := Logs{"loss": lossSum / float64(ds.Len())}
	for _, m := range ms {
		logs[m.Name()] = m.Result()
	}
	return logs, nil
}
