package adversarial

import (
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// FGSM is the fast gradient sign method (Goodfellow et al. 2015): one step
// x' = clip(x + eps*sign(∇x loss(x, y)), low, high) per row, or, targeted,
// x' = clip(x - eps*sign(∇x loss(x, target))).
//
// t must have been made with a loss (trainers.WithLoss), whose per-example
// gradient is the one taken; x (N, input...) float32 or float64 must lie in the
// valid range (WithRange, default [0, 1]); y gives the labels in the form that
// loss takes: class ids (N) or (N, 1) for a sparse loss or a binary classifier of
// one sigmoid unit, one-hot rows (N, K) for categorical cross-entropy. eps >= 0
// is in input units. Options: WithRange, WithTarget, WithBatchSize (default 64),
// WithContext. Every row of the result has L-inf norm <= eps.
func FGSM(t *trainers.Trainer, x, y *tensor.Dense, eps float64, opts ...Option) (*Result, error) {
	const what = "fgsm"
	c, p, err := prepare(what, t, x, y, eps, opts)
	if err != nil {
		return nil, err
	}
	cls, dir := p.goal()
	g, err := p.lossGradient(p.x, cls)
	if err != nil {
		return nil, err
	}
	adv := make([]float64, len(p.x))
	for j, v := range p.x {
		adv[j] = v + dir*eps*sign(g[j])
	}
	projectLinf(p.x, adv, eps, c.lo, c.hi)
	return p.result(what, adv)
}
