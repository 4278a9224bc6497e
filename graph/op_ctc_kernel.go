package graph

import (
	"math"

	"github.com/pkg/errors"
)

// ctcSample is one validated row of a CTC batch.
type ctcSample struct {
	steps  int     // input length T_b (frames 0..T_b-1 are used)
	labels []int   // the L_b labels, none of them the blank
	weight float64 // factor of the reduction: 1, or 1/(max(1, L_b)·B) for "mean"
}

// ctcSamples checks the labels (B, s), the optional input and label lengths (B)
// against the predictions (B, t, k) and returns one sample per row; an entry that
// is not an integer in range is an error naming the row.
func ctcSamples(cfg ctcConfig, lab []float64, s int, inLens, labLens []float64, b, t, k int) ([]ctcSample, error) {
	if cfg.blank < 0 || cfg.blank >= k {
		return nil, errors.Errorf("ctc_loss: blank index %d is not a class in [0, %d)", cfg.blank, k)
	}
	isInt := func(v float64, hi int) bool { return v == math.Trunc(v) && v >= 0 && v <= float64(hi) }
	out := make([]ctcSample, b)
	for i := range out {
		steps := t
		if inLens != nil {
			if !isInt(inLens[i], t) {
				return nil, errors.Errorf("ctc_loss: input length %g of row %d is not an integer in [0, %d]", inLens[i], i, t)
			}
			steps = int(inLens[i])
		}
		row := lab[i*s : (i+1)*s]
		n := s
		if labLens != nil {
			if !isInt(labLens[i], s) {
				return nil, errors.Errorf("ctc_loss: label length %g of row %d is not an integer in [0, %d]", labLens[i], i, s)
			}
			n = int(labLens[i])
		} else {
			for j, v := range row {
				if v < 0 {
					n = j
					break
				}
			}
		}
		labels := make([]int, n)
		for j, v := range row[:n] {
			if !isInt(v, k-1) || int(v) == cfg.blank {
				return nil, errors.Errorf("ctc_loss: label %g at row %d position %d is not a class in [0, %d) other than the blank %d", v, i, j, k, cfg.blank)
			}
			labels[j] = int(v)
		}
		w := 1.0
		if cfg.mean {
			w = 1 / (float64(max(1, n)) * float64(b))
		}
		out[i] = ctcSample{steps, labels, w}
	}
	return out, nil
}

// ctcRun writes into res the weighted losses (B) or their gradient (B, t, k)
// with respect to xs (B, t, k), one sample at a time in float64 arithmetic,
// samples split across cores when the batch is large enough.
func ctcRun[T float32 | float64](cfg ctcConfig, xs, res []T, samples []ctcSample, up []float64, t, k int, grad bool) error {
	return parallelRows(len(samples), t*k, func(_, lo, hi int) error {
		var w ctcWork
		for i := lo; i < hi; i++ {
			smp := samples[i]
			x := xs[i*t*k : (i+1)*t*k]
			lp := w.logProbs(cfg.input, x, smp.steps, k)
			nll := w.forwardBackward(lp, k, smp, cfg.blank, grad)
			finite := !math.IsInf(nll, 1)
			if !grad {
				switch {
				case finite:
					res[i] = T(nll * smp.weight)
				case cfg.keepInf:
					res[i] = T(math.Inf(1))
				default:
					res[i] = 0
				}
				continue
			}
			dst := res[i*t*k : (i+1)*t*k]
			clear(dst)
			if !finite || math.IsNaN(nll) {
				if math.IsNaN(nll) {
					for j := range dst {
						dst[j] = T(math.NaN())
					}
				}
				continue
			}
			scale := up[i] * smp.weight
			for j, q := range w.posterior(lp, k, smp, cfg.blank, nll) {
				var g float64
				switch cfg.input {
				case CTCLogits:
					g = math.Exp(lp[j]) - q
				case CTCProbs:
					g = -q / (float64(x[j]) + Epsilon)
				default:
					g = -q
				}
				dst[j] = T(g * scale)
			}
		}
		return nil
	})
}

// ctcWork holds one worker's buffers, grown on demand.
type ctcWork struct {
	lp, alpha, beta, q []float64
	ext                []int
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// logProbs returns the log-probabilities (steps, k) of the first steps frames of
// x, from log-probabilities, logits (log-softmax of each frame) or probabilities
// (log(p + Epsilon), as Keras' ctc_batch_cost).
func (w *ctcWork) logProbs(input CTCInput, x any, steps, k int) []float64 {
	w.lp = grow(w.lp, steps*k)
	lp := w.lp
	switch xs := x.(type) {
	case []float64:
		copy(lp, xs[:steps*k])
	case []float32:
		for j := range lp {
			lp[j] = float64(xs[j])
		}
	}
	switch input {
	case CTCProbs:
		for j, v := range lp {
			lp[j] = math.Log(v + Epsilon)
		}
	case CTCLogits:
		for t := 0; t < steps; t++ {
			row := lp[t*k : (t+1)*k]
			m := rowMax(row)
			var s float64
			for _, v := range row {
				s += math.Exp(v - m)
			}
			lse := m + math.Log(s)
			for j := range row {
				row[j] -= lse
			}
		}
	}
	return lp
}

// forwardBackward fills the log-space alpha (with the emission of frame t) and,
// when beta is wanted, beta (without it: the log-probability of completing the
// labelling from state s at frame t) over the extended labelling (blank, l1,
// blank, ..., lL, blank), and returns the negative log-likelihood, +Inf when no
// path of nonzero probability exists.
func (w *ctcWork) forwardBackward(lp []float64, k int, smp ctcSample, blank int, beta bool) float64 {
	steps, ns := smp.steps, 2*len(smp.labels)+1
	if steps == 0 {
		if len(smp.labels) == 0 {
			return 0
		}
		return math.Inf(1)
	}
	if cap(w.ext) < ns {
		w.ext = make([]int, ns)
	}
	ext := w.ext[:ns]
	for s := range ext {
		ext[s] = blank
		if s%2 == 1 {
			ext[s] = smp.labels[s/2]
		}
	}
	skip := func(s int) bool { return s >= 2 && ext[s] != blank && ext[s] != ext[s-2] }
	ninf := math.Inf(-1)
	w.alpha = grow(w.alpha, steps*ns)
	a := w.alpha
	for s := range ns {
		a[s] = ninf
	}
	a[0] = lp[blank]
	if ns > 1 {
		a[1] = lp[ext[1]]
	}
	for t := 1; t < steps; t++ {
		prev, cur, row := a[(t-1)*ns:t*ns], a[t*ns:(t+1)*ns], lp[t*k:(t+1)*k]
		for s := range ns {
			v := prev[s]
			if s >= 1 {
				v = logAdd(v, prev[s-1])
			}
			if skip(s) {
				v = logAdd(v, prev[s-2])
			}
			cur[s] = v + row[ext[s]]
		}
	}
	last := a[(steps-1)*ns:]
	ll := last[ns-1]
	if ns > 1 {
		ll = logAdd(ll, last[ns-2])
	}
	if beta && !math.IsInf(ll, -1) {
		w.beta = grow(w.beta, steps*ns)
		bt := w.beta
		lastB := bt[(steps-1)*ns:]
		for s := range lastB {
			lastB[s] = ninf
		}
		lastB[ns-1] = 0
		if ns > 1 {
			lastB[ns-2] = 0
		}
		for t := steps - 2; t >= 0; t-- {
			nxt, cur, row := bt[(t+1)*ns:(t+2)*ns], bt[t*ns:(t+1)*ns], lp[(t+1)*k:(t+2)*k]
			for s := range ns {
				v := nxt[s] + row[ext[s]]
				if s+1 < ns {
					v = logAdd(v, nxt[s+1]+row[ext[s+1]])
				}
				if s+2 < ns && skip(s+2) {
					v = logAdd(v, nxt[s+2]+row[ext[s+2]])
				}
				cur[s] = v
			}
		}
	}
	return -ll
}

// posterior returns q (steps, k): the probability, given the labelling, that
// frame t emits class c; the exact derivative of the loss with respect to the
// log-probability lp[t, c] is -q[t, c]. It needs forwardBackward's alpha and beta.
func (w *ctcWork) posterior(lp []float64, k int, smp ctcSample, blank int, nll float64) []float64 {
	steps, ns := smp.steps, 2*len(smp.labels)+1
	w.q = grow(w.q, len(lp))
	q := w.q
	clear(q)
	ext := w.ext[:ns]
	for t := range steps {
		a, b, row := w.alpha[t*ns:(t+1)*ns], w.beta[t*ns:(t+1)*ns], q[t*k:(t+1)*k]
		for s, c := range ext {
			if v := a[s] + b[s]; !math.IsInf(v, -1) {
				row[c] += math.Exp(v + nll)
			}
		}
	}
	return q
}

// logAdd is log(exp(a) + exp(b)), exact for -Inf arguments.
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
