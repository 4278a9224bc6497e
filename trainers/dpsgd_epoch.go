package trainers

import (
	"context"
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// trainEpochDP runs one epoch of DP-SGD steps (see DPSGD) and returns its logs,
// as trainEpoch does. Under Poisson sampling an epoch is ceil(N/BatchSize)
// steps, each of the examples drawn at rate q = BatchSize/N; the graph has a
// fixed batch, so a step's m examples run in a program whose batch is m
// rounded up to a multiple of about the standard deviation of m (sqrt(L(1-q)),
// L = BatchSize), padded with repeats of the step's rows that are masked out
// (weight 0) of the gradient; a step of more than L + 4 such multiples runs in
// several chunks. About ten programs are compiled. The logged loss of a padded
// run averages its repeated rows too; the metrics count the real rows only.
func (t *Trainer) trainEpochDP(ctx context.Context, parts []part, c fitConfig, d *DPSGDOption, epoch int, cbs []Callback) (Logs, error) {
	switch {
	case t.distOn():
		return nil, errors.New("fit: DP-SGD does not run distributed")
	case len(parts) != 1:
		return nil, errors.New("fit: DP-SGD takes one data set, not a Bucketed one")
	case parts[0].bd.steps != 0:
		return nil, errors.New("fit: DP-SGD needs inputs of their declared length (no variable steps)")
	}
	ds, bd := parts[0].ds, parts[0].bd
	n, L := ds.Len(), c.batch
	if L > n {
		return nil, errors.Errorf("fit: DP-SGD: batch size %d is larger than the %d training examples", L, n)
	}
	q := float64(L) / float64(n)
	rng := epochRand(t.seed, epoch)
	noise := rand.New(rand.NewSource(batchSeed(t.seed, epoch, -1)))
	var batches [][]int
	var err error
	if d.sampling == ShuffledSampling {
		if batches, err = datasets.Batches(n, L, c.shuffle, rng); err != nil {
			return nil, errors.Wrap(err, "fit")
		}
	} else {
		batches = make([][]int, (n+L-1)/L)
		for s := range batches {
			batches[s] = poissonSample(n, q, rng)
		}
	}
	acc, err := t.newTally()
	if err != nil {
		return nil, err
	}
	st := newDPStep(t, d)
	logs := Logs{}
	steps := 0
	defer func() { _ = d.account(q, steps) }()
	for b, idx := range batches {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "fit: stopped in epoch %d before batch %d", epoch, b)
		}
		loss, err := st.run(ds, bd, idx, L, q, acc, rng)
		if err != nil {
			return nil, errors.Wrapf(err, "fit: epoch %d batch %d", epoch, b)
		}
		denom := float64(L)
		if d.sampling == ShuffledSampling {
			denom = float64(len(idx))
		}
		if err := st.step(noise, denom); err != nil {
			return nil, errors.Wrap(err, "fit: optimizer step")
		}
		steps++
		if acc.seen > 0 {
			if err := t.endBatch(acc, logs, loss, cbs, epoch, b); err != nil {
				return nil, err
			}
		}
		if t.stop {
			break
		}
	}
	return logs.clone(), nil
}

// poissonSample returns the examples of 0..n-1 drawn each with probability q,
// in order, skipping ahead by geometric gaps.
func poissonSample(n int, q float64, rng *rand.Rand) []int {
	if q >= 1 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	var out []int
	lq := math.Log1p(-q)
	for i := -1; ; {
		u := 1 - rng.Float64() // in (0, 1]
		gap := math.Floor(math.Log(u) / lq)
		if gap >= float64(n-i-1) {
			return out
		}
		i += 1 + int(gap)
		out = append(out, i)
	}
}

// dpStep holds one Fit's buffers for DP-SGD steps.
type dpStep struct {
	t      *Trainer
	d      *DPSGDOption
	work   dpWork
	sum    [][]float64 // the clipped sum of the step, per parameter
	last   *dpProgram  // the last program run (for the parameters and penalties)
	ran    bool        // whether the step ran a program (an empty Poisson step runs none)
	grads  []*tensor.Dense
	idxBuf []int
}

func newDPStep(t *Trainer, d *DPSGDOption) *dpStep { return &dpStep{t: t, d: d} }

// chunkSize is the program batch for m rows at expected batch L and rate q
// (shuffled: m itself).
func chunkSize(m, L int, q float64, shuffled bool) int {
	if shuffled {
		return m
	}
	gran := max(1, int(math.Ceil(math.Sqrt(float64(L)*(1-q)))))
	up := func(v int) int { return (v + gran - 1) / gran * gran }
	return min(up(m), up(L+4*gran))
}

// run computes the clipped gradient sum of the examples idx into st.sum,
// counting their loss and metrics in acc; it returns the loss of the last run.
func (st *dpStep) run(ds datasets.Multi, bd *binding, idx []int, L int, q float64, acc *tally, rng *rand.Rand) (float64, error) {
	for _, s := range st.sum {
		for j := range s {
			s[j] = 0
		}
	}
	var loss float64
	st.ran = len(idx) > 0
	for start := 0; start < len(idx); {
		size := chunkSize(len(idx)-start, L, q, st.d.sampling == ShuffledSampling)
		rows := min(size, len(idx)-start)
		p, err := st.d.dpProgramAt(st.t, size)
		if err != nil {
			return 0, err
		}
		st.idxBuf = st.idxBuf[:0]
		for r := 0; r < size; r++ {
			st.idxBuf = append(st.idxBuf, idx[start+r%rows])
		}
		if err := bd.gather(ds, st.idxBuf, p.program); err != nil {
			return 0, errors.Wrap(err, "gather batch")
		}
		if err := p.run(rng); err != nil {
			return 0, describeRunError(err, st.idxBuf)
		}
		if st.sum == nil {
			st.sum = make([][]float64, len(p.params))
			for i, prm := range p.params {
				st.sum[i] = make([]float64, prm.Value.Shape().TotalSize())
			}
		}
		if err := p.clipInto(&st.work, st.sum, rows, st.d.clip, nil); err != nil {
			return 0, err
		}
		if loss, err = acc.add(p.program, rows); err != nil {
			return 0, err
		}
		st.last = p
		start += rows
	}
	if st.last == nil { // an empty first step: the parameters of a program
		p, err := st.d.dpProgramAt(st.t, chunkSize(1, L, q, false))
		if err != nil {
			return 0, err
		}
		st.last = p
		st.sum = make([][]float64, len(p.params))
		for i, prm := range p.params {
			st.sum[i] = make([]float64, prm.Value.Shape().TotalSize())
		}
	}
	return loss, nil
}

// step adds the noise N(0, (σC)²) to each coordinate of the sum, divides by
// denom, adds the weight penalties' gradient and applies the optimizer.
func (st *dpStep) step(noise *rand.Rand, denom float64) error {
	p := st.last
	if st.grads == nil {
		for _, prm := range p.params {
			st.grads = append(st.grads, tensor.New(tensor.Of(prm.Value.Dtype()), tensor.WithShape(prm.Value.Shape().Clone()...)))
		}
	}
	sd := st.d.noise * st.d.clip
	for i, s := range st.sum {
		var pen []float64
		if st.ran && p.penGrads != nil && p.penGrads[i] != nil {
			var err error
			if pen, err = valueOf(p.exec.Dense(p.penGrads[i]), nil); err != nil {
				return errors.Wrapf(err, "weight %q: penalty gradient", p.params[i].Name)
			}
		}
		switch out := st.grads[i].Data().(type) {
		case []float32:
			for j, v := range s {
				g := (v + sd*noise.NormFloat64()) / denom
				if pen != nil {
					g += pen[j]
				}
				out[j] = float32(g)
			}
		case []float64:
			for j, v := range s {
				g := (v + sd*noise.NormFloat64()) / denom
				if pen != nil {
					g += pen[j]
				}
				out[j] = g
			}
		default:
			return errors.Errorf("weight %q of dtype %v", p.params[i].Name, st.grads[i].Dtype())
		}
	}
	return st.t.opt.Step(p.params, st.grads)
}
