package trainers

import (
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// work is one worker goroutine: w holds its own compiled programs.
func (p *Predictor) work(w *Trainer) {
	defer p.wg.Done()
	defer w.Close()
	var carry *predictRequest // taken, but left out of a full batch
	batch := make([]*predictRequest, 0, p.cfg.maxBatch)
	for {
		first := carry // already taken
		carry = nil
		if first == nil {
			select {
			case <-p.done:
				return
			case first = <-p.queue:
			}
			if !p.take(first) {
				continue
			}
		}
		batch = append(batch[:0], first)
		rows := first.n
		if rows < p.cfg.maxBatch {
			batch, rows, carry = p.gather(batch, rows)
		}
		p.runBatch(w, batch, rows)
		for i := range batch {
			batch[i] = nil
		}
	}
}

// take claims a queued request for this worker. It returns false, leaving it, for
// a request whose caller gave up, and for one whose context has ended (answered
// with the context's error).
func (p *Predictor) take(r *predictRequest) bool {
	if err := r.ctx.Err(); err != nil {
		if r.state.CompareAndSwap(reqQueued, reqCanceled) {
			p.canceled.Add(1)
			r.finish(nil, errors.Wrap(err, "predict"))
		}
		return false
	}
	return r.state.CompareAndSwap(reqQueued, reqTaken)
}

// gather adds queued requests to batch while their rows fit in the max batch,
// waiting up to the linger for them. It returns the batch, its rows, and the
// request that did not fit (or nil).
func (p *Predictor) gather(batch []*predictRequest, rows int) ([]*predictRequest, int, *predictRequest) {
	var timeout <-chan time.Time
	if p.cfg.linger > 0 {
		t := time.NewTimer(p.cfg.linger)
		defer t.Stop()
		timeout = t.C
	}
	for rows < p.cfg.maxBatch {
		var r *predictRequest
		if timeout == nil {
			select {
			case r = <-p.queue:
			default:
				return batch, rows, nil
			}
		} else {
			select {
			case r = <-p.queue:
			case <-timeout:
				return batch, rows, nil
			case <-p.done:
				return batch, rows, nil
			}
		}
		if !p.take(r) {
			continue
		}
		if rows+r.n > p.cfg.maxBatch {
			return batch, rows, r
		}
		batch = append(batch, r)
		rows += r.n
	}
	return batch, rows, nil
}

// segment is a run of rows of one request inside a batch.
type segment struct {
	req       int // index in the batch
	from, n   int // rows of the request
	batchFrom int // first row in the batch
}

// runBatch runs the rows of the requests of batch (rows in all) in chunks of at
// most the max batch and answers every request.
func (p *Predictor) runBatch(w *Trainer, batch []*predictRequest, rows int) {
	outs := make([][]*tensor.Dense, len(batch))
	for i, r := range batch {
		outs[i] = make([]*tensor.Dense, len(p.outs))
		for k, o := range p.outs {
			outs[i][k] = tensor.New(tensor.Of(p.model.DType()), tensor.WithShape(append([]int{r.n}, o.Shape...)...))
		}
	}
	err := p.runChunks(w, batch, outs, rows)
	p.requests.Add(int64(len(batch)))
	p.rows.Add(int64(rows))
	if err != nil && len(batch) > 1 {
		// One request's bad input (an id beyond an embedding) fails the whole
		// batch: run each request alone, so that only that one gets the error,
		// naming its own row.
		for i, r := range batch {
			r.finish(outs[i], p.runChunks(w, batch[i:i+1], outs[i:i+1], r.n))
		}
		return
	}
	for i, r := range batch {
		if err != nil {
			r.finish(nil, err)
		} else {
			r.finish(outs[i], nil)
		}
	}
}

func (p *Predictor) runChunks(w *Trainer, batch []*predictRequest, outs [][]*tensor.Dense, rows int) error {
	segs := make([]segment, 0, len(batch))
	ri, rr := 0, 0 // next request and its next row
	for start := 0; start < rows; {
		b := min(p.cfg.maxBatch, rows-start)
		size := p.bucket(b)
		prog, err := w.program(predictProgram, size)
		if err != nil {
			return errors.Wrapf(err, "predict: compile the program for batch %d", size)
		}
		segs = segs[:0]
		for filled := 0; filled < b; {
			k := min(batch[ri].n-rr, b-filled)
			segs = append(segs, segment{req: ri, from: rr, n: k, batchFrom: filled})
			for i, per := range p.inPer {
				copyValues(prog.xs[i], filled*per, batch[ri].xs[i], rr*per, k*per)
			}
			filled += k
			if rr += k; rr == batch[ri].n {
				ri, rr = ri+1, 0
			}
		}
		// Rows b..size-1 keep the finite values (valid ids) of an earlier run (or
		// zeros): rows do not mix in inference, and their outputs are dropped.
		p.batches.Add(1)
		if err := prog.run(nil); err != nil {
			rowOf := make([]int, b) // batch row -> row of its request
			for _, s := range segs {
				for k := 0; k < s.n; k++ {
					rowOf[s.batchFrom+k] = s.from + k
				}
			}
			return describeRunError(err, rowOf)
		}
		for k, per := range p.outPer {
			res := prog.output(k)
			for _, s := range segs {
				copyValues(outs[s.req][k], s.from*per, res, s.batchFrom*per, s.n*per)
			}
		}
		start += b
	}
	return nil
}

// bucket is the compiled batch size that runs b rows: the smallest power of two
// >= b, or the max batch if that is smaller.
func (p *Predictor) bucket(b int) int {
	s := 1
	for s < b {
		s <<= 1
	}
	return min(s, p.cfg.maxBatch)
}
