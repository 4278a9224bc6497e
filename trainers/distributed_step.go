package trainers

import (
	"context"
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/distributed"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// distSums is what one allreduce of a global batch brings back: the sums over
// every rank's rows.
type distSums struct {
	rows     int
	loss     float64   // Σ rows·loss
	headLoss []float64 // per output, Σ rows·loss
	// preds and targets are, per output with metrics, the global batch's
	// predictions and targets in the batch's order (nil without metrics).
	preds, targets [][]float64
}

// The step buffer starts with a header: a failure flag, the rows, the total
// loss, then one loss per output; the gradients follow (training only), then per
// output with metrics the predictions and targets of the whole global batch,
// each rank writing its own rows.
const (
	hdrFailed = iota
	hdrRows
	hdrLoss
	hdrHeads // first output's loss
)

// distStep runs this rank's share of the global batch pb (a training step when
// train, an evaluation batch otherwise) and sums every rank's contribution with
// one allreduce. A failure here (or a cancelled ctx) is returned after the
// allreduce, so that every rank learns of it at the same step.
func (t *Trainer) distStep(ctx context.Context, train bool, parts []part, pb partBatch, c *fitConfig, epoch, b int, rng *rand.Rand) (*distSums, error) {
	rank, size := t.comm.Rank(), t.comm.Size()
	n := len(pb.idx)
	lo, hi := distributed.Shard(n, rank, size)
	idx, ds, bd := pb.idx[lo:hi], parts[pb.part].ds, parts[pb.part].bd
	kind, what := evalProgram, "evaluate"
	if train {
		kind, what = trainProgram, "fit"
	}
	// A rank without rows in this batch compiles (never runs) a program of one
	// row to learn the outputs' widths.
	p, perr := t.program(kind, max(len(idx), 1), bd.steps)
	if perr != nil {
		perr = errors.Wrapf(perr, "%s: compile the program for batch %d%s", what, len(idx), stepsLabel(bd.steps))
	}
	nh := len(t.heads)
	pw, tw := make([]int, nh), make([]int, nh)
	gradOff := hdrHeads + nh
	off := gradOff
	if train {
		off += t.dist.nGrad
	}
	metricOff := make([]int, nh)
	for i := range t.heads {
		if perr == nil && len(t.heads[i].metrics) > 0 {
			pw[i] = nodeWidth(p.outs[i])
			tw[i] = p.ys[i].Shape().TotalSize() / p.ys[i].Shape()[0]
		}
		metricOff[i] = off
		off += n * (pw[i] + tw[i])
	}
	buf := t.distBuf(off)
	err := perr
	if err == nil && ctx.Err() != nil {
		err = errors.Wrapf(ctx.Err(), "%s: stopped in epoch %d before batch %d", what, epoch, b)
	}
	if err == nil && len(idx) > 0 {
		err = t.distLocal(p, ds, bd, idx, parts, pb, c, epoch, b, rng, buf, gradOff, train)
		for i := range t.heads {
			if err == nil && pw[i]+tw[i] > 0 {
				o := metricOff[i]
				toFloat64sInto(buf[o+lo*pw[i]:o+hi*pw[i]], p.output(i))
				toFloat64sInto(buf[o+n*pw[i]+lo*tw[i]:o+n*pw[i]+hi*tw[i]], p.ys[i])
			}
		}
	}
	if err != nil {
		buf[hdrFailed] = 1
	}
	if aerr := t.comm.AllreduceSumFloat64(buf); aerr != nil {
		return nil, errors.Wrapf(aerr, "%s: epoch %d batch %d: allreduce", what, epoch, b)
	}
	if err != nil {
		return nil, err
	}
	if buf[hdrFailed] > 0 {
		return nil, errors.Errorf("%s: epoch %d batch %d: another rank failed (see its errors)", what, epoch, b)
	}
	s := &distSums{rows: int(math.Round(buf[hdrRows])), loss: buf[hdrLoss], headLoss: buf[hdrHeads : hdrHeads+nh],
		preds: make([][]float64, nh), targets: make([][]float64, nh)}
	if s.rows != n {
		return nil, errors.Errorf("%s: epoch %d batch %d: the ranks trained %d rows of a batch of %d: every rank must fit the same data", what, epoch, b, s.rows, n)
	}
	for i := range t.heads {
		o := metricOff[i]
		if pw[i]+tw[i] > 0 {
			s.preds[i], s.targets[i] = buf[o:o+n*pw[i]], buf[o+n*pw[i]:o+n*(pw[i]+tw[i])]
		}
	}
	return s, nil
}

// distLocal gathers and runs this rank's rows idx of the batch and writes into
// buf its rows, rows·loss, rows·(each output's loss) and, when train,
// rows·gradient at gradOff.
func (t *Trainer) distLocal(p *program, ds datasets.Multi, bd *binding, idx []int, parts []part, pb partBatch, c *fitConfig, epoch, b int, rng *rand.Rand, buf []float64, gradOff int, train bool) error {
	what := "evaluate"
	if train {
		what = "fit"
	}
	if err := bd.gather(ds, idx, p); err != nil {
		return errors.Wrapf(err, "%s: gather batch", what)
	}
	if train && len(c.transforms) > 0 {
		if err := t.transformBatch(c.transforms, p, epoch, b); err != nil {
			return err
		}
	}
	if err := p.run(rng); err != nil {
		return errors.Wrapf(describeRunError(err, pb.orig(parts)), "%s: epoch %d batch %d", what, epoch, b)
	}
	rows := float64(len(idx))
	loss, err := p.lossValue()
	if err != nil {
		return errors.Wrap(err, what)
	}
	buf[hdrRows], buf[hdrLoss] = rows, rows*loss
	for i := range t.heads {
		hl := loss
		if len(t.heads) > 1 {
			if hl, err = p.headLossValue(i); err != nil {
				return errors.Wrap(err, what)
			}
		}
		buf[hdrHeads+i] = rows * hl
	}
	if !train {
		return nil
	}
	if p.rowGrads != nil {
		return errors.New("fit: distributed: embedding tables updated by rows are not supported: add trainers.WithDenseEmbeddingUpdates()")
	}
	d := t.dist
	if len(p.params) != len(d.params) {
		return errors.Errorf("fit: distributed: the program of batch %d trains %d parameters, the first %d", len(idx), len(p.params), len(d.params))
	}
	for k, prm := range p.params {
		if prm != d.params[k] {
			return errors.Errorf("fit: distributed: the program of batch %d trains %s where the first trains %s", len(idx), prm.Name, d.params[k].Name)
		}
		g := buf[gradOff+d.offs[k] : gradOff+d.offs[k]+prm.Size()]
		toFloat64sInto(g, p.gradTs[k])
		for j := range g {
			g[j] *= rows
		}
	}
	return nil
}

// distBuf returns the step buffer of n values, zeroed.
func (t *Trainer) distBuf(n int) []float64 {
	d := t.dist
	if d == nil {
		d = &distState{}
		t.dist = d
	}
	if cap(d.buf) < n {
		d.buf = make([]float64, n)
	}
	buf := d.buf[:n]
	clear(buf)
	return buf
}

// toFloat64sInto writes t's values, as float64, into dst (of t's size).
func toFloat64sInto(dst []float64, t *tensor.Dense) { toFloat64s(t, dst[:0:len(dst)]) }

// nodeWidth is the number of values per example of a node of shape (batch, ...).
func nodeWidth(n *G.Node) int {
	s := n.Shape()
	if len(s) == 0 || s[0] == 0 {
		return 0
	}
	return s.TotalSize() / s[0]
}

// addSums counts a global batch's sums, as add counts one run.
func (a *tally) addSums(s *distSums) (loss float64, err error) {
	a.loss += s.loss
	a.seen += s.rows
	multi := len(a.t.heads) > 1
	for i := range a.t.heads {
		if multi {
			a.headLoss[i] += s.headLoss[i]
		}
		if len(a.ms[i]) == 0 {
			continue
		}
		if err := updateMetrics(a.ms[i], s.preds[i], s.targets[i], s.rows); err != nil {
			return 0, errors.Wrapf(err, "output %q", a.t.heads[i].out.Name)
		}
	}
	return s.loss / float64(s.rows), nil
}

// trainEpochDist is trainEpoch across the ranks (WithDistributed): every rank
// cuts the same batches from the epoch's order and trains its share of each;
// the summed gradients, divided by the global batch's rows, feed the optimizer.
func (t *Trainer) trainEpochDist(ctx context.Context, parts []part, c fitConfig, epoch int, cbs []Callback) (Logs, error) {
	rng := epochRand(t.seed, epoch)
	batches, err := epochBatches(parts, c.batch, c.shuffle, rng)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	if rank := t.comm.Rank(); rank > 0 { // dropout masks of its own per rank
		rng = epochRand(t.seed^int64(rank)*0x2545f4914f6cdd1d, epoch)
	}
	acc, err := t.newTally()
	if err != nil {
		return nil, err
	}
	d := t.dist
	if d == nil {
		return nil, errors.New("fit: distributed: the fit was not started on every rank")
	}
	logs := Logs{}
	for b, pb := range batches {
		s, err := t.distStep(ctx, true, parts, pb, &c, epoch, b, rng)
		if err != nil {
			return nil, err
		}
		gradOff := hdrHeads + len(t.heads)
		if err := unpackTensors(d.buf[gradOff:gradOff+d.nGrad], d.grads, 1/float64(s.rows)); err != nil {
			return nil, errors.Wrap(err, "fit")
		}
		loss, err := acc.addSums(s)
		if err != nil {
			return nil, errors.Wrap(err, "fit")
		}
		if err := t.opt.Step(d.params, d.grads); err != nil {
			return nil, errors.Wrap(err, "fit: optimizer step")
		}
		if err := t.endBatch(acc, logs, loss, cbs, epoch, b); err != nil {
			return nil, err
		}
		if t.stop {
			break
		}
	}
	if err := t.averageState(); err != nil {
		return nil, errors.Wrap(err, "fit: distributed: average the non-trainable weights")
	}
	return logs.clone(), nil
}

// evaluateDist is evaluate across the ranks: each runs its share of every
// batch, and the sums make every rank's logs those of the whole data.
func (t *Trainer) evaluateDist(ctx context.Context, parts []part, batch int) (Logs, error) {
	batches, err := epochBatches(parts, batch, false, nil)
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	acc, err := t.newTally()
	if err != nil {
		return nil, err
	}
	for b, pb := range batches {
		s, err := t.distStep(ctx, false, parts, pb, nil, 0, b, nil)
		if err != nil {
			return nil, err
		}
		if _, err := acc.addSums(s); err != nil {
			return nil, errors.Wrap(err, "evaluate")
		}
	}
	logs := Logs{}
	acc.logs(logs)
	return logs, nil
}
