package trainers

import (
	"context"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Evaluate returns the loss and metrics of a model of one input and one output on
// (x, y), in inference mode (dropout off), averaged over every example. It takes
// BatchSize (default 32) and Verbose (ignored: evaluation prints nothing). A
// datasets.Dataset evaluates with EvaluateDataset.
func (t *Trainer) Evaluate(ctx context.Context, x, y *tensor.Dense, opts ...FitOption) (Logs, error) {
	if x == nil || y == nil {
		return nil, errors.New("evaluate: x and y must both be given (for a datasets.Dataset, such as TrainTestSplit returns, use EvaluateDataset)")
	}
	ds, err := datasets.NewTensors(nil, []*tensor.Dense{x}, nil, []*tensor.Dense{y})
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	return t.EvaluateMulti(ctx, ds, opts...)
}

// EvaluateNamed is Evaluate on named inputs x and targets y.
func (t *Trainer) EvaluateNamed(ctx context.Context, x, y map[string]*tensor.Dense, opts ...FitOption) (Logs, error) {
	ds, err := datasets.NewNamedTensors(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	return t.EvaluateMulti(ctx, ds, opts...)
}

// EvaluateTensors is Evaluate on tensors in the order of the model's inputs and
// outputs.
func (t *Trainer) EvaluateTensors(ctx context.Context, xs, ys []*tensor.Dense, opts ...FitOption) (Logs, error) {
	ds, err := datasets.NewTensors(nil, xs, nil, ys)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	return t.EvaluateMulti(ctx, ds, opts...)
}

// EvaluateDataset is Evaluate on a data set.
func (t *Trainer) EvaluateDataset(ctx context.Context, ds datasets.Dataset, opts ...FitOption) (Logs, error) {
	if ds == nil {
		return nil, errors.New("evaluate: the data set is empty")
	}
	return t.EvaluateMulti(ctx, datasets.AsMulti(ds), opts...)
}

// EvaluateMulti is Evaluate on a data set of several tensors: the logs hold "loss"
// and, for a model of several outputs, "<output>_loss" and "<output>_<metric>".
func (t *Trainer) EvaluateMulti(ctx context.Context, ds datasets.Multi, opts ...FitOption) (Logs, error) {
	c, err := newFitConfig("evaluate", []string{"batch", "verbose"}, opts)
	if err != nil {
		return nil, err
	}
	parts, err := t.parts("evaluate", ds)
	if err != nil {
		return nil, err
	}
	return t.evaluate(ctx, parts, c.batch)
}

// evaluate runs the batches of every part in order (no shuffling).
func (t *Trainer) evaluate(ctx context.Context, parts []part, batch int) (Logs, error) {
	if t.distOn() {
		return t.evaluateDist(ctx, parts, batch)
	}
	batches, err := epochBatches(parts, batch, false, nil)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	acc, err := t.newTally()
	if err != nil {
		return nil, err
	}
	for _, pb := range batches {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrap(err, "evaluate: stopped")
		}
		idx, ds, bd := pb.idx, parts[pb.part].ds, parts[pb.part].bd
		p, err := t.program(evalProgram, len(idx), bd.steps)
		if err != nil {
			return nil, errors.Wrapf(err, "evaluate: compile the program for batch %d%s", len(idx), stepsLabel(bd.steps))
		}
		if err := bd.gather(ds, idx, p); err != nil {
			return nil, errors.Wrap(err, "evaluate: gather batch")
		}
		if err := p.run(nil); err != nil {
			return nil, errors.Wrap(describeRunError(err, pb.orig(parts)), "evaluate")
		}
		if _, err := acc.add(p, len(idx)); err != nil {
			return nil, errors.Wrap(err, "evaluate")
		}
	}
	logs := Logs{}
	acc.logs(logs)
	return logs, nil
}
