package adversarial

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// PGD is projected gradient descent under an L-inf bound (Madry et al. 2018):
// from a random start drawn uniformly in the eps-ball around each row (unless
// WithRandomStart(false)), WithSteps (default 20) steps
// x ← Π(x + α*sign(∇x loss)), where Π projects onto the eps-ball around the clean
// row and then onto the valid range, and α is WithStepSize (default
// 2.5*eps/steps). A targeted attack (WithTarget) descends the loss of the target
// instead. Each row keeps the first iterate at which the attack succeeds (the
// model's prediction is checked at the start and after every step), else the
// last one, so PGD never gives up a success it found.
//
// t, x, y and eps are as for FGSM. Options: WithRange, WithTarget, WithSteps,
// WithStepSize, WithRandomStart, WithSeed (default 1: the same seed gives the
// same result), WithBatchSize, WithContext. Every row of the result has L-inf
// norm <= eps.
func PGD(t *trainers.Trainer, x, y *tensor.Dense, eps float64, opts ...Option) (*Result, error) {
	return pgd("pgd", false, t, x, y, eps, opts)
}

// PGDL2 is PGD under an L2 bound: the random start is drawn uniformly in the
// L2 ball of radius eps, each step is x ← Π(x + α*g/||g||) for the loss gradient
// g of the row (a row whose gradient is 0 stays), and Π scales the perturbation
// down to L2 norm eps when it is longer, then clips to the valid range. Options,
// defaults and the first-success rule are those of PGD. Every row of the result
// has L2 norm <= eps.
func PGDL2(t *trainers.Trainer, x, y *tensor.Dense, eps float64, opts ...Option) (*Result, error) {
	return pgd("pgd-l2", true, t, x, y, eps, opts)
}

func pgd(what string, l2 bool, t *trainers.Trainer, x, y *tensor.Dense, eps float64, opts []Option) (*Result, error) {
	c, p, err := prepare(what, t, x, y, eps, opts)
	if err != nil {
		return nil, err
	}
	alpha := c.stepSize
	if alpha == 0 {
		alpha = DefaultStepFactor * eps / float64(c.steps)
	}
	project := func(xr, ar []float64) { projectLinf(xr, ar, eps, c.lo, c.hi) }
	if l2 {
		project = func(xr, ar []float64) { projectL2(xr, ar, eps, c.lo, c.hi) }
	}
	adv := append([]float64(nil), p.x...)
	if c.randomStart {
		randomStart(rand.New(rand.NewSource(c.seed)), adv, p.n, p.per, eps, l2)
	}
	for i := 0; i < p.n; i++ {
		project(p.x[i*p.per:(i+1)*p.per], adv[i*p.per:(i+1)*p.per])
	}
	done := make([]bool, p.n)
	if err := p.markDone(adv, done); err != nil {
		return nil, err
	}
	cls, dir := p.goal()
	for s := 0; s < c.steps && !allTrue(done); s++ {
		if err := p.checkContext(); err != nil {
			return nil, err
		}
		g, err := p.lossGradient(adv, cls)
		if err != nil {
			return nil, errors.Wrapf(err, "step %d", s+1)
		}
		for i := 0; i < p.n; i++ {
			if done[i] {
				continue
			}
			ar, gr := adv[i*p.per:(i+1)*p.per], g[i*p.per:(i+1)*p.per]
			if l2 {
				norm := l2norm(gr)
				if norm == 0 {
					continue
				}
				for j := range ar {
					ar[j] += dir * alpha * gr[j] / norm
				}
			} else {
				for j := range ar {
					ar[j] += dir * alpha * sign(gr[j])
				}
			}
			project(p.x[i*p.per:(i+1)*p.per], ar)
		}
		if err := p.markDone(adv, done); err != nil {
			return nil, err
		}
	}
	return p.result(what, adv)
}

// randomStart adds to each row a point drawn uniformly in the eps-ball: each
// value uniform in [-eps, eps] (L-inf), or a uniform direction at a radius
// eps*U^(1/d) (L2, d values per row). Rows are drawn in order.
func randomStart(rng *rand.Rand, adv []float64, n, per int, eps float64, l2 bool) {
	dir := make([]float64, per)
	for i := 0; i < n; i++ {
		ar := adv[i*per : (i+1)*per]
		if !l2 {
			for j := range ar {
				ar[j] += eps * (2*rng.Float64() - 1)
			}
			continue
		}
		for j := range dir {
			dir[j] = rng.NormFloat64()
		}
		norm := l2norm(dir)
		r := eps * math.Pow(rng.Float64(), 1/float64(per))
		if norm == 0 {
			continue
		}
		for j := range ar {
			ar[j] += r * dir[j] / norm
		}
	}
}

// markDone predicts adv and marks the rows where the attack has succeeded.
func (p *problem) markDone(adv []float64, done []bool) error {
	pred, _, err := p.predict(adv)
	if err != nil {
		return err
	}
	for i, k := range pred {
		done[i] = done[i] || p.succeeded(i, k)
	}
	return nil
}

func allTrue(v []bool) bool {
	for _, b := range v {
		if !b {
			return false
		}
	}
	return true
}
