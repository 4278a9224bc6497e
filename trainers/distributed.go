package trainers

import (
	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// WithDistributed trains data-parallel across the ranks of comm (default none:
// this process alone; a comm of one rank trains exactly as without it). Every
// rank builds the same model and runs the same Fit on the same data: Fit first
// broadcasts rank 0's weights and optimizer state (this package's optimizers;
// another package's optimizer must start alike on every rank), then every rank
// takes the same per-epoch order (from the seed and the epoch) and trains on its
// share of each global batch of BatchSize rows (distributed.Shard: contiguous,
// sizes differing by at most one). One allreduce per step over a single fused
// float64 buffer sums every rank's rows·gradient (plus the losses and the
// predictions the metrics need); the sum over all rows of the global batch,
// divided by them, is the gradient one process would get, so N ranks at
// BatchSize B train as one process at B, uneven last batches included. The
// losses, metrics and validation are reduced the same way: every rank logs the
// same numbers. Only rank 0 prints progress and keeps the callbacks that write
// files (ModelCheckpoint, CSVLogger); callbacks of your own that write should
// check Trainer.Rank.
//
// With WithDistributed, Fit and Evaluate are collective (every rank must call
// them, with the same data and options); Predict runs on each rank alone. A
// failure on one rank is reported on every rank at the same step.
//
// Limits: BatchNormalization normalizes each rank's share with that share's
// statistics (as Keras' BatchNormalization under a distribution strategy; there
// is no SyncBatchNormalization yet), so a model with it does not train exactly as
// one process does; its running statistics (every non-trainable weight) are
// averaged across ranks at the end of every epoch so that every rank holds the
// same model. Dropout draws its masks per rank, and a BatchTransform sees
// each rank's share of the batch (with the batch's seed). Embedding tables updated by rows
// are refused: add WithDenseEmbeddingUpdates.
func WithDistributed(comm distributed.Comm) Option {
	return optionFunc(func(c *config) {
		c.comm = comm
		if comm == nil {
			c.optErr = errors.New("trainers: WithDistributed(nil): give a distributed.Comm (distributed.Init)")
		}
	})
}

// Rank is this process's rank in WithDistributed's group (0 without it).
func (t *Trainer) Rank() int {
	if t.comm == nil {
		return 0
	}
	return t.comm.Rank()
}

// Ranks is the number of ranks training together (WithDistributed; 1 without).
func (t *Trainer) Ranks() int {
	if t.comm == nil {
		return 1
	}
	return t.comm.Size()
}

// distOn reports whether Fit and Evaluate run across several ranks.
func (t *Trainer) distOn() bool { return t.comm != nil && t.comm.Size() > 1 }

// distState is the layout of a distributed Fit's fused gradient buffer.
type distState struct {
	params []*graph.Param  // the trainable parameters with a gradient, in the programs' order
	offs   []int           // where each parameter's gradient starts in the buffer's gradient part
	nGrad  int             // the gradient part's length
	grads  []*tensor.Dense // the averaged gradients given to the optimizer
	buf    []float64       // the step's buffer (see distStep)
}

// rankCallbacks drops, on every rank but 0, the callbacks that print or write
// files: the progress bar, ModelCheckpoint and CSVLogger.
func (t *Trainer) rankCallbacks(cbs []Callback) []Callback {
	if !t.distOn() || t.comm.Rank() == 0 {
		return cbs
	}
	var out []Callback
	for _, cb := range cbs {
		switch cb.(type) {
		case *ProgressBar, *ModelCheckpoint, *CSVLogger:
			continue
		}
		out = append(out, cb)
	}
	return out
}

// distBegin starts a distributed Fit: it compiles a training program to learn
// which parameters have gradients, checks that every rank has the same model,
// data and settings, and broadcasts rank 0's weights and optimizer state.
func (t *Trainer) distBegin(parts []part, c fitConfig) error {
	if !t.distOn() {
		return nil
	}
	rank, size := t.comm.Rank(), t.comm.Size()
	n := min(c.batch, parts[0].ds.Len())
	lo, hi := distributed.Shard(n, rank, size)
	p, err := t.program(trainProgram, max(hi-lo, 1), parts[0].bd.steps)
	if err != nil {
		return errors.Wrap(err, "fit: distributed: compile the training program")
	}
	d := &distState{params: p.params}
	for _, prm := range p.params {
		d.offs = append(d.offs, d.nGrad)
		d.nGrad += prm.Size()
		d.grads = append(d.grads, tensor.New(tensor.Of(prm.Value.Dtype()), tensor.WithShape(prm.Value.Shape().Clone()...)))
	}
	t.dist = d
	rows := 0
	for _, pt := range parts {
		rows += pt.ds.Len()
	}
	all := t.model.Params()
	weights := 0
	for _, prm := range all {
		weights += prm.Size()
	}
	local := []float64{float64(len(d.params)), float64(d.nGrad), float64(len(all)), float64(weights),
		float64(len(parts)), float64(rows), float64(c.batch), float64(c.epochs), float64(c.initialEpoch), b2f(c.shuffle), b2f(p.gradients != nil)}
	names := []string{"trainable parameters", "gradient values", "parameters", "weight values",
		"data parts", "training rows", "batch size", "epochs", "initial epoch", "shuffle", "embedding updates by rows"}
	root := append([]float64(nil), local...)
	if err := t.comm.BroadcastFloat64(root, 0); err != nil {
		return errors.Wrap(err, "fit: distributed: broadcast the settings")
	}
	var mismatch error
	for i := range local {
		if local[i] != root[i] {
			mismatch = errors.Errorf("fit: distributed: rank %d has %g %s, rank 0 %g: every rank must build the same model and fit the same data with the same options", rank, local[i], names[i], root[i])
			break
		}
	}
	if err := t.agree(mismatch, "fit: distributed: the ranks differ (see the other ranks' errors)"); err != nil {
		return err
	}
	if p.gradients != nil {
		return errors.New("fit: distributed: the model's embedding tables are updated by rows, which distributed training does not average: add trainers.WithDenseEmbeddingUpdates()")
	}
	if err := broadcastTensors(t.comm, paramValues(all)); err != nil {
		return errors.Wrap(err, "fit: distributed: broadcast the weights")
	}
	return errors.Wrap(t.broadcastOptimizer(d.params), "fit: distributed: broadcast the optimizer state")
}

// agree tells every rank whether any rank has an error: this rank's err, or
// others if only another rank failed. Every rank must call it.
func (t *Trainer) agree(err error, others string) error {
	flag := []float64{b2f(err != nil)}
	if aerr := t.comm.AllreduceSumFloat64(flag); aerr != nil {
		return errors.Wrap(aerr, "distributed: allreduce")
	}
	if err != nil {
		return err
	}
	if flag[0] > 0 {
		return errors.New(others)
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func paramValues(ps []*graph.Param) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ps))
	for i, p := range ps {
		out[i] = p.Value
	}
	return out
}

// broadcastTensors copies rank 0's tensors (float32 or float64) into every
// rank's, in one broadcast of a float64 buffer (exact for float32).
func broadcastTensors(comm distributed.Comm, ts []*tensor.Dense) error {
	n := 0
	for _, t := range ts {
		n += t.Shape().TotalSize()
	}
	buf := make([]float64, n)
	if err := packTensors(buf, ts); err != nil {
		return err
	}
	if err := comm.BroadcastFloat64(buf, 0); err != nil {
		return err
	}
	return unpackTensors(buf, ts, 1)
}

// packTensors writes the tensors' values one after another into buf.
func packTensors(buf []float64, ts []*tensor.Dense) error {
	o := 0
	for _, t := range ts {
		switch d := t.Data().(type) {
		case []float32:
			for i, v := range d {
				buf[o+i] = float64(v)
			}
			o += len(d)
		case []float64:
			o += copy(buf[o:], d)
		default:
			return errors.Errorf("a tensor of %v cannot be exchanged (float32 or float64 only)", t.Dtype())
		}
	}
	return nil
}

// unpackTensors reads the tensors' values from buf, each multiplied by scale.
func unpackTensors(buf []float64, ts []*tensor.Dense, scale float64) error {
	o := 0
	for _, t := range ts {
		switch d := t.Data().(type) {
		case []float32:
			for i := range d {
				d[i] = float32(buf[o+i] * scale)
			}
			o += len(d)
		case []float64:
			for i := range d {
				d[i] = buf[o+i] * scale
			}
			o += len(d)
		default:
			return errors.Errorf("a tensor of %v cannot be exchanged (float32 or float64 only)", t.Dtype())
		}
	}
	return nil
}

// broadcastOptimizer copies rank 0's optimizer step count and state into every
// rank's optimizer (this package's optimizers; others are left as they are).
func (t *Trainer) broadcastOptimizer(params []*graph.Param) error {
	s, ok := t.opt.(stateful)
	if !ok {
		return nil
	}
	b := s.base()
	hdr := make([]float64, 3) // step count, state held (0/1), parameters with state
	if t.comm.Rank() == 0 {
		hdr[0] = float64(b.iter)
		if b.state != nil {
			hdr[1], hdr[2] = 1, float64(len(b.state))
			for i := range b.state {
				if b.state[i] == nil || (b.rows != nil && b.rows[i] != nil) {
					hdr[1] = -1 // state by rows
				}
			}
		}
	}
	if err := t.comm.BroadcastFloat64(hdr, 0); err != nil {
		return err
	}
	switch {
	case hdr[1] < 0:
		return errors.New("rank 0's optimizer holds state by rows (embedding tables), which distributed training does not support")
	case hdr[1] > 0 && int(hdr[2]) != len(params):
		return errors.Errorf("rank 0's optimizer holds state for %g parameters, the model trains %d", hdr[2], len(params))
	}
	b.iter = int(hdr[0])
	if hdr[1] == 0 {
		b.state, b.rows = nil, nil
		return nil
	}
	if t.comm.Rank() != 0 {
		b.state = make([][]*tensor.Dense, len(params))
		b.rows = make([]any, len(params))
		for i, p := range params {
			b.state[i] = newDenseState(p, b.slots, 0)
		}
	}
	var ts []*tensor.Dense
	for _, st := range b.state {
		ts = append(ts, st...)
	}
	return broadcastTensors(t.comm, ts)
}

// averageState averages the non-trainable weights (BatchNormalization's running
// statistics) across ranks, so that every rank holds the same model.
func (t *Trainer) averageState() error {
	var ts []*tensor.Dense
	n := 0
	for _, p := range t.model.Params() {
		if !p.Trainable {
			ts = append(ts, p.Value)
			n += p.Size()
		}
	}
	if len(ts) == 0 {
		return nil
	}
	buf := make([]float64, n)
	if err := packTensors(buf, ts); err != nil {
		return err
	}
	if err := t.comm.AllreduceSumFloat64(buf); err != nil {
		return err
	}
	return unpackTensors(buf, ts, 1/float64(t.comm.Size()))
}
