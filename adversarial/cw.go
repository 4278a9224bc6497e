package adversarial

import (
	"math"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// CW is the Carlini-Wagner L2 attack (Carlini and Wagner 2017). Each row is
// written x' = low + (high-low)*(tanh(w)+1)/2, which keeps it in the valid range,
// and Adam (WithLearningRate, default 0.1; WithIterations, default 100 per
// search step) minimizes ||x' - x||² + c*f(x') over w, from w at x, with
//
//	f = max(max_{i≠t} Z_i - Z_t, -κ)   targeted at class t (WithTarget)
//	f = max(Z_y - max_{i≠y} Z_i, -κ)   untargeted, for the label y
//
// on the logits Z (the output before its softmax or sigmoid, as
// trainers.ClassLogit; a model of one sigmoid unit z has Z = (0, z)) and κ =
// WithKappa (default 0). A binary search over c per row (WithBinarySteps, default
// 9, from WithInitialConst, default 0.01: c grows tenfold until a success, then
// bisects) looks for the smallest perturbation. Each row returns the successful
// iterate of smallest L2 norm found (an iterate succeeds when the model predicts
// the target, or anything but the label, by a logit margin of at least κ), or
// the clean row when none was.
//
// t needs no loss; x (N, input...) and y are as for FGSM. Options: WithRange,
// WithTarget, WithBinarySteps, WithIterations, WithLearningRate,
// WithInitialConst, WithKappa, WithBatchSize, WithContext. It draws nothing at
// random.
func CW(t *trainers.Trainer, x, y *tensor.Dense, opts ...Option) (*Result, error) {
	const what = "cw"
	c, p, err := prepare(what, t, x, y, 0, opts)
	if err != nil {
		return nil, err
	}
	n, per := p.n, p.per
	half := (c.hi - c.lo) / 2
	w0 := make([]float64, len(p.x))
	for j, v := range p.x {
		w0[j] = math.Atanh(clip((v-c.lo)/half-1, -1+1e-6, 1-1e-6))
	}
	best := append([]float64(nil), p.x...)
	bestL2 := make([]float64, n)
	found := make([]bool, n)
	lower, upper, cs := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range cs {
		upper[i], cs[i] = 1e10, c.initialConst
	}
	w, m, v := make([]float64, len(w0)), make([]float64, len(w0)), make([]float64, len(w0))
	adv := make([]float64, len(w0))
	const beta1, beta2, epsAdam = 0.9, 0.999, 1e-8
	for b := 0; b < c.binarySteps; b++ {
		copy(w, w0)
		clear(m)
		clear(v)
		stepFound := make([]bool, n)
		for it := 1; it <= c.iterations; it++ {
			if err := p.checkContext(); err != nil {
				return nil, err
			}
			for j, wj := range w {
				adv[j] = clip(c.lo+half*(math.Tanh(wj)+1), c.lo, c.hi)
			}
			margin, grad, ok, err := p.cwObjective(adv)
			if err != nil {
				return nil, errors.Wrapf(err, "binary step %d, iteration %d", b+1, it)
			}
			for i := 0; i < n; i++ {
				xr, ar := p.x[i*per:(i+1)*per], adv[i*per:(i+1)*per]
				if ok[i] {
					if _, d := distances(xr, ar); !found[i] || d < bestL2[i] {
						found[i], bestL2[i] = true, d
						copy(best[i*per:(i+1)*per], ar)
					}
					stepFound[i] = true
				}
				active := margin[i] > -c.kappa // f = margin, not clamped at -κ
				for j := i * per; j < (i+1)*per; j++ {
					gx := 2 * (adv[j] - p.x[j])
					if active {
						gx += cs[i] * grad[j]
					}
					th := math.Tanh(w[j])
					gw := gx * half * (1 - th*th)
					m[j] = beta1*m[j] + (1-beta1)*gw
					v[j] = beta2*v[j] + (1-beta2)*gw*gw
					mh := m[j] / (1 - math.Pow(beta1, float64(it)))
					vh := v[j] / (1 - math.Pow(beta2, float64(it)))
					w[j] -= c.learningRate * mh / (math.Sqrt(vh) + epsAdam)
				}
			}
		}
		for i := range cs {
			if stepFound[i] {
				upper[i] = math.Min(upper[i], cs[i])
				cs[i] = (lower[i] + upper[i]) / 2
			} else {
				lower[i] = math.Max(lower[i], cs[i])
				if upper[i] < 1e9 {
					cs[i] = (lower[i] + upper[i]) / 2
				} else {
					cs[i] *= 10
				}
			}
		}
	}
	return p.result(what, best)
}

// cwObjective returns, per row of adv, the margin Z_a - Z_b that f clamps (a =
// the label, b = the best other class, untargeted; a = the best class other than
// the target, b = the target, targeted), its gradient with respect to the input,
// and whether the row succeeds.
func (p *problem) cwObjective(adv []float64) (margin, grad []float64, ok []bool, err error) {
	out, err := p.t.Predict(p.tensorOf(adv), trainers.BatchSize(p.c.batch))
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, p.what)
	}
	probs := tensorvals.Floats(out)
	if probs == nil || len(probs) != p.n*p.k {
		return nil, nil, nil, errors.Errorf("%s: the model's output of shape %v is not a score per class", p.what, out.Shape())
	}
	n, k := p.n, p.k
	pred := make([]int, n)
	other := make([]int, n) // the best class other than the label or target
	for i := range pred {
		row := probs[i*k : (i+1)*k]
		exclude := p.labels[i]
		if p.targets != nil {
			exclude = p.targets[i]
		}
		if k == 1 {
			pred[i], other[i] = 0, 1-exclude
			if !(row[0] < 0.5) {
				pred[i] = 1
			}
			continue
		}
		pred[i], other[i] = argmax(row), -1
		for c, v := range row {
			if c != exclude && (other[i] < 0 || v > row[other[i]]) {
				other[i] = c
			}
		}
	}
	a, b := p.labels, other
	if p.targets != nil {
		a, b = other, p.targets
	}
	var za, zb, ga, gb []float64
	if k == 1 { // logits (0, z): one gradient, of z
		gzv, s, err := p.logitGradient(adv, []int{0})
		if err != nil {
			return nil, nil, nil, err
		}
		za, zb, ga, gb = make([]float64, n), make([]float64, n), make([]float64, len(gzv)), make([]float64, len(gzv))
		for i := 0; i < n; i++ {
			if a[i] == 1 {
				za[i] = s[i]
				copy(ga[i*p.per:(i+1)*p.per], gzv[i*p.per:(i+1)*p.per])
			}
			if b[i] == 1 {
				zb[i] = s[i]
				copy(gb[i*p.per:(i+1)*p.per], gzv[i*p.per:(i+1)*p.per])
			}
		}
	} else {
		if ga, za, err = p.logitGradient(adv, a); err != nil {
			return nil, nil, nil, err
		}
		if gb, zb, err = p.logitGradient(adv, b); err != nil {
			return nil, nil, nil, err
		}
	}
	margin, grad, ok = make([]float64, n), make([]float64, len(ga)), make([]bool, n)
	for i := range margin {
		margin[i] = za[i] - zb[i]
		// Untargeted a = y: success when Z_y - Z_b <= -κ and the label is not
		// predicted; targeted b = t: when Z_a - Z_t <= -κ and t is predicted.
		ok[i] = p.succeeded(i, pred[i]) && margin[i] <= -p.c.kappa
	}
	for j := range grad {
		grad[j] = ga[j] - gb[j]
	}
	return margin, grad, ok, nil
}

// logitGradient returns the gradient with respect to the input at adv of the
// logit of class cls[i] for row i, and those logits.
func (p *problem) logitGradient(adv []float64, cls []int) ([]float64, []float64, error) {
	g, s, err := p.t.InputGradientsScores(p.tensorOf(adv), trainers.ClassLogit(cls...), trainers.BatchSize(p.c.batch))
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%s: the gradient of the logits", p.what)
	}
	return tensorvals.Floats(g), s, nil
}
