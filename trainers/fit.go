package trainers

import (
	"context"
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers/metrics"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Fit trains a model of one input and one output on examples x, shape (N,
// input...), and targets y, shape (N, output...) or (N, 1) for
// sparse_categorical_crossentropy (float32 or float64; x may be int32/int64 for an
// integer input, a String tensor for a String input). See FitMulti. A datasets.Dataset (what TrainTestSplit, the CSV
// readers, MNIST and the generators return) trains with FitDataset, and validates
// with ValidationDataset.
func (t *Trainer) Fit(ctx context.Context, x, y *tensor.Dense, opts ...FitOption) (*History, error) {
	if x == nil || y == nil {
		return nil, errors.New("fit: x and y must both be given (for a datasets.Dataset, such as TrainTestSplit returns, use FitDataset)")
	}
	ds, err := datasets.NewTensors(nil, []*tensor.Dense{x}, nil, []*tensor.Dense{y})
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	return t.FitMulti(ctx, ds, opts...)
}

// FitNamed trains on named tensors: x maps each model input's name to its examples
// (N, input...), y each output's name to its targets. See FitMulti.
func (t *Trainer) FitNamed(ctx context.Context, x, y map[string]*tensor.Dense, opts ...FitOption) (*History, error) {
	ds, err := datasets.NewNamedTensors(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	return t.FitMulti(ctx, ds, opts...)
}

// FitTensors trains on tensors given in the order of the model's inputs (xs) and
// outputs (ys). See FitMulti.
func (t *Trainer) FitTensors(ctx context.Context, xs, ys []*tensor.Dense, opts ...FitOption) (*History, error) {
	ds, err := datasets.NewTensors(nil, xs, nil, ys)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	return t.FitMulti(ctx, ds, opts...)
}

// FitDataset trains a model of one input and one output on ds (a
// datasets.Dataset: TrainTestSplit's halves, a CSV file, MNIST, a generator). See
// FitMulti; ValidationDataset gives validation data of the same kind.
func (t *Trainer) FitDataset(ctx context.Context, ds datasets.Dataset, opts ...FitOption) (*History, error) {
	if ds == nil {
		return nil, errors.New("fit: no data")
	}
	return t.FitMulti(ctx, datasets.AsMulti(ds), opts...)
}

// FitMulti trains the model on ds for Epochs (default 1) epochs at BatchSize
// (default 32), shuffling each epoch with the trainer's seeded source (Shuffle), and
// returns the History of the epochs run. The data set's tensors feed the model's
// inputs and outputs by name when it names them, in order otherwise. The data is
// checked before any step (see the package documentation); errors name the tensor.
// Training stops cleanly between steps when ctx is cancelled: Fit then returns the
// History so far and an error wrapping ctx.Err().
func (t *Trainer) FitMulti(ctx context.Context, ds datasets.Multi, opts ...FitOption) (_ *History, err error) {
	c, err := newFitConfig("fit", nil, opts)
	if err != nil {
		return nil, err
	}
	train, val, err := t.splitValidation(ds, c)
	if err != nil {
		return nil, err
	}
	tparts, err := t.parts("fit", train)
	if err != nil {
		return nil, err
	}
	var vparts []part
	if val != nil {
		if vparts, err = t.parts("fit: validation data", val); err != nil {
			return nil, err
		}
	}
	if err := t.distBegin(tparts, c); err != nil {
		return nil, err
	}
	hist := &History{}
	t.fit = fitState{epochs: c.epochs, steps: stepsPerEpoch(tparts, c.batch), verbose: c.verbose}
	cbs := append([]Callback{hist}, t.rankCallbacks(progressCallbacks(t.output(), c.verbose))...)
	cbs = append(cbs, t.rankCallbacks(c.callbacks)...)
	t.stop = false
	for _, cb := range cbs {
		if err := cb.OnTrainBegin(t); err != nil {
			return hist, errors.Wrap(err, "fit: callback")
		}
	}
	if err := t.beginCallbackStates(cbs, c.initialEpoch); err != nil {
		return hist, errors.Wrap(err, "fit")
	}
	defer func() {
		if serr := t.endCallbackStates(); serr != nil && err == nil {
			err = errors.Wrap(serr, "fit")
		}
	}()
	endOrder := epochEndOrder(cbs)
	var logs Logs
	for epoch := c.initialEpoch; epoch < c.epochs && !t.stop; epoch++ {
		for _, cb := range cbs {
			if err := cb.OnEpochBegin(t, epoch); err != nil {
				return hist, errors.Wrap(err, "fit: callback")
			}
		}
		if logs, err = t.trainEpoch(ctx, tparts, c, epoch, cbs); err != nil {
			return hist, err
		}
		if val != nil {
			vl, err := t.evaluate(ctx, vparts, c.batch)
			if err != nil {
				return hist, errors.Wrap(err, "fit: validation")
			}
			for k, v := range vl {
				logs["val_"+k] = v
			}
		}
		t.epoch = epoch + 1
		for _, cb := range endOrder {
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

// epochEndOrder is the order of the OnEpochEnd calls: the callbacks in their order,
// then those that save the trainer (ModelCheckpoint), so that what they save holds
// the other callbacks' state of the epoch.
func epochEndOrder(cbs []Callback) []Callback {
	type last interface{ lastAtEpochEnd() }
	out := make([]Callback, 0, len(cbs))
	for _, cb := range cbs {
		if _, ok := cb.(last); !ok {
			out = append(out, cb)
		}
	}
	for _, cb := range cbs {
		if _, ok := cb.(last); ok {
			out = append(out, cb)
		}
	}
	return out
}

func (t *Trainer) splitValidation(ds datasets.Multi, c fitConfig) (train, val datasets.Multi, err error) {
	if ds == nil {
		return nil, nil, errors.New("fit: no data")
	}
	switch {
	case c.set["validation_split"]:
		if ds.Len() < 2 {
			return nil, nil, errors.Errorf("fit: %d example(s) cannot be split for validation", ds.Len())
		}
		train, val, err = datasets.SplitTailMulti(ds, c.split)
		return train, val, errors.Wrap(err, "fit: validation split")
	case c.valMulti != nil:
		return ds, c.valMulti, nil
	case c.valDS != nil:
		return ds, datasets.AsMulti(c.valDS), nil
	case c.valX != nil || c.valY != nil:
		v, err := datasets.NewTensors(nil, []*tensor.Dense{c.valX}, nil, []*tensor.Dense{c.valY})
		return ds, v, errors.Wrap(err, "fit: validation data")
	}
	return ds, nil, nil
}

// tally accumulates an epoch's (or an evaluation's) losses and metrics.
type tally struct {
	t        *Trainer
	ms       [][]metrics.Metric
	loss     float64
	headLoss []float64
	seen     int
	bufs     [][2][]float64
}

func (t *Trainer) newTally() (*tally, error) {
	ms, err := t.newHeadMetrics()
	if err != nil {
		return nil, err
	}
	return &tally{t: t, ms: ms, headLoss: make([]float64, len(t.heads)), bufs: make([][2][]float64, len(t.heads))}, nil
}

// add counts one run of p whose first rows are real examples (all of its batch
// but DP-SGD's padded ones): the loss (the run's, which averages any padding
// rows too) and the metrics of those rows.
func (a *tally) add(p *program, rows int) (loss float64, err error) {
	if loss, err = p.lossValue(); err != nil {
		return 0, err
	}
	a.loss += loss * float64(rows)
	a.seen += rows
	multi := len(a.t.heads) > 1
	for i := range a.t.heads {
		if multi {
			hl, err := p.headLossValue(i)
			if err != nil {
				return 0, err
			}
			a.headLoss[i] += hl * float64(rows)
		}
		if len(a.ms[i]) == 0 {
			continue
		}
		pred, target := toFloat64s(p.output(i), a.bufs[i][0]), toFloat64s(p.ys[i], a.bufs[i][1])
		a.bufs[i] = [2][]float64{pred, target}
		batch := p.ys[i].Shape()[0]
		pw, tw := len(pred)/batch, len(target)/batch
		if err := updateMetrics(a.ms[i], pred[:rows*pw], target[:rows*tw], rows); err != nil {
			return 0, errors.Wrapf(err, "output %q", a.t.heads[i].out.Name)
		}
	}
	return loss, nil
}

// logs writes the averages so far into l: "loss", and per output "<out>_loss" (when
// there are several) and "<out>_<metric>" ("<metric>" for one output).
func (a *tally) logs(l Logs) {
	l["loss"] = a.loss / float64(a.seen)
	for i := range a.t.heads {
		h := &a.t.heads[i]
		pre := a.t.prefix(h)
		if pre != "" {
			l[pre+"loss"] = a.headLoss[i] / float64(a.seen)
		}
		for _, m := range a.ms[i] {
			l[pre+m.Name()] = m.Result()
		}
	}
}

// trainEpoch runs one epoch of steps and returns its logs: the losses and metrics
// averaged over every example of the epoch. The batches of several parts (the
// buckets of a datasets.Bucketed) each come from one part; their order is shuffled
// with the epoch's seeded source (see epochBatches).
func (t *Trainer) trainEpoch(ctx context.Context, parts []part, c fitConfig, epoch int, cbs []Callback) (Logs, error) {
	if d := dpsgdOf(c); d != nil {
		return t.trainEpochDP(ctx, parts, c, d, epoch, cbs)
	}
	if t.distOn() {
		return t.trainEpochDist(ctx, parts, c, epoch, cbs)
	}
	rng := epochRand(t.seed, epoch)
	batches, err := epochBatches(parts, c.batch, c.shuffle, rng)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	acc, err := t.newTally()
	if err != nil {
		return nil, err
	}
	logs := Logs{}
	for b, pb := range batches {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "fit: stopped in epoch %d before batch %d", epoch, b)
		}
		idx, ds, bd := pb.idx, parts[pb.part].ds, parts[pb.part].bd
		p, err := t.program(trainProgram, len(idx), bd.steps)
		if err != nil {
			return nil, errors.Wrapf(err, "fit: compile the training program for batch %d%s", len(idx), stepsLabel(bd.steps))
		}
		if err := bd.gather(ds, idx, p); err != nil {
			return nil, errors.Wrap(err, "fit: gather batch")
		}
		if len(c.transforms) > 0 {
			if err := t.transformBatch(c.transforms, p, epoch, b); err != nil {
				return nil, err
			}
		}
		if err := p.run(rng); err != nil {
			return nil, errors.Wrapf(describeRunError(err, pb.orig(parts)), "fit: epoch %d batch %d", epoch, b)
		}
		loss, err := acc.add(p, len(idx))
		if err != nil {
			return nil, errors.Wrap(err, "fit")
		}
		if err := t.step(p); err != nil {
			return nil, errors.Wrap(err, "fit: optimizer step")
		}
		if err := t.endBatch(acc, logs, loss, cbs, epoch, b); err != nil {
			return nil, err
		}
		if t.stop {
			break
		}
	}
	return logs.clone(), nil
}

// endBatch puts the running averages of the epoch so far into logs (the batch's
// own loss when it is not finite, so that TerminateOnNaN sees it) and calls the
// callbacks' OnBatchEnd.
func (t *Trainer) endBatch(acc *tally, logs Logs, loss float64, cbs []Callback, epoch, b int) error {
	acc.logs(logs)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		logs["loss"] = loss
	}
	for _, cb := range cbs {
		if err := cb.OnBatchEnd(t, epoch, b, logs); err != nil {
			return errors.Wrap(err, "fit: callback")
		}
	}
	return nil
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
	case []int64, []int32, []int:
		for i := range buf {
			buf[i] = float64(intAt(t, i))
		}
	}
	return buf
}
