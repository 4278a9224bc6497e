package trainers

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
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
// most the max batch and answers every request. A panic while it runs (a layer's
// op, an output too large to allocate) is recovered: the requests of the batch
// not answered yet get it as an error, and the worker goes on serving.
func (p *Predictor) runBatch(w *Trainer, batch []*predictRequest, rows int) {
	counted := false
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		err := panicError(v)
		if !counted {
			p.requests.Add(int64(len(batch)))
			p.rows.Add(int64(rows))
		}
		for _, r := range batch {
			if r != nil && !r.answered() {
				r.finish(nil, err)
			}
		}
	}()
	outs := make([][]*tensor.Dense, len(batch))
	for i, r := range batch {
		outs[i] = make([]*tensor.Dense, len(p.outs))
		for k, o := range p.outs {
			outs[i][k] = tensor.New(tensor.Of(outputDType(p.model, o)), tensor.WithShape(append([]int{r.n}, o.Shape...)...))
		}
	}
	err := p.runChunks(w, batch, outs, rows)
	p.requests.Add(int64(len(batch)))
	p.rows.Add(int64(rows))
	counted = true
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

// answered reports whether r has its answer (finish was called). Only the worker
// that took r finishes it, so this does not race with finish.
func (r *predictRequest) answered() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// panicError is the error a request gets for a panic recovered in a worker: the
// panic's value and where it happened (file base name, line and function), so that
// the server's log points at the cause without the caller seeing a stack.
func panicError(v interface{}) error {
	return errors.Errorf("predict: internal error: a predictor worker recovered from a panic: %v%s", v, panicSite())
}

// panicSite is " (at copy.go:17 in trainers.copyValues)": the first frame below
// the panic that is not in the runtime, when called from a deferred function
// during the panic; "" when none is found.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			fn := f.Function
			if i := strings.LastIndex(fn, "/"); i >= 0 {
				fn = fn[i+1:]
			}
			return fmt.Sprintf(" (at %s:%d in %s)", filepath.Base(f.File), f.Line, fn)
		}
		if !more {
			return ""
		}
	}
}

// runChunks runs the rows of batch into outs. A panic is recovered and returned
// as an error; the program that was running is dropped from the worker's cache
// (its state is unknown), to be compiled anew on its next use.
func (p *Predictor) runChunks(w *Trainer, batch []*predictRequest, outs [][]*tensor.Dense, rows int) (err error) {
	var running *programKey
	defer func() {
		if v := recover(); v != nil {
			err = panicError(v)
			if running != nil {
				if prog, ok := w.programs[*running]; ok {
					prog.close()
					delete(w.programs, *running)
				}
			}
		}
	}()
	segs := make([]segment, 0, len(batch))
	ri, rr := 0, 0 // next request and its next row
	for start := 0; start < rows; {
		b := min(p.cfg.maxBatch, rows-start)
		size := p.bucket(b)
		running = &programKey{predictProgram, size, 0}
		prog, err := w.program(predictProgram, size, 0)
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
		// Rows b..size-1 repeat row 0 of this batch: rows do not mix in
		// inference and their outputs are dropped, and a copy of a row of the
		// batch is as valid as the row (zeros or an earlier request's values
		// might not be: "" or an unknown string for a lookup without
		// out-of-vocabulary ids would fail the batch).
		for i, per := range p.inPer {
			for r := b; r < size; r++ {
				copyValues(prog.xs[i], r*per, prog.xs[i], 0, per)
			}
		}
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
