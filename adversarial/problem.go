package adversarial

import (
	"math"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// problem is an attack's checked inputs: the rows as float64, their labels and
// targets, and the model's clean predictions.
type problem struct {
	what    string
	t       *trainers.Trainer
	c       *config
	x       []float64 // (n*per) flat copy of the input
	shape   []int     // the input's shape (n, input...)
	n, per  int
	k       int   // values per output row (1: a binary classifier)
	yWidth  int   // values per row of y: 1 (class ids) or k (one-hot)
	labels  []int // true class per row
	targets []int // target class per row; nil when untargeted
	clean   []int // predicted class of each clean row
}

// prepare checks eps (finite, >= 0; CW passes 0), applies opts and sets up the
// problem of attack what.
func prepare(what string, t *trainers.Trainer, x, y *tensor.Dense, eps float64, opts []Option) (*config, *problem, error) {
	if math.IsNaN(eps) || math.IsInf(eps, 0) || eps < 0 {
		return nil, nil, errors.Errorf("%s: eps %g: want a finite value >= 0", what, eps)
	}
	c, err := newConfig(what, opts)
	if err != nil {
		return nil, nil, err
	}
	p, err := newProblem(what, t, x, y, c)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// newProblem checks t, x (N, input...) and y (class ids (N) or (N, 1), or one-hot
// rows (N, K)) and predicts the clean rows.
func newProblem(what string, t *trainers.Trainer, x, y *tensor.Dense, c *config) (*problem, error) {
	if t == nil {
		return nil, errors.Errorf("%s: nil trainer", what)
	}
	if x == nil || x.Dims() < 2 || x.Shape()[0] < 1 {
		var s tensor.Shape
		if x != nil {
			s = x.Shape()
		}
		return nil, errors.Errorf("%s: x has shape %v: want (N, input...) with N >= 1", what, s)
	}
	xs := tensorvals.Floats(x)
	if xs == nil {
		return nil, errors.Errorf("%s: x has dtype %v: want float32 or float64", what, x.Dtype())
	}
	p := &problem{what: what, t: t, c: c, x: xs, shape: x.Shape().Clone(), n: x.Shape()[0]}
	p.per = len(xs) / p.n
	for i, v := range xs {
		if !(v >= c.lo && v <= c.hi) { // NaN too
			return nil, errors.Errorf("%s: x row %d, value %d is %g, outside the valid input range [%g, %g] (WithRange)",
				what, i/p.per, i%p.per, v, c.lo, c.hi)
		}
	}
	clean, k, err := p.predict(xs)
	if err != nil {
		return nil, err
	}
	p.clean, p.k = clean, k
	if err := p.readLabels(y); err != nil {
		return nil, err
	}
	if c.targets != nil {
		if len(c.targets) != 1 && len(c.targets) != p.n {
			return nil, errors.Errorf("%s: %d targets for %d rows: give one target class for all rows or one per row", what, len(c.targets), p.n)
		}
		p.targets = make([]int, p.n)
		for i := range p.targets {
			tc := c.targets[0]
			if len(c.targets) > 1 {
				tc = c.targets[i]
			}
			if tc < 0 || tc >= p.classes() {
				return nil, errors.Errorf("%s: target class %d (row %d) is out of range [0, %d)", what, tc, i, p.classes())
			}
			p.targets[i] = tc
		}
	}
	return p, nil
}

// classes is the number of classes: the output width, 2 for one output unit.
func (p *problem) classes() int { return max(p.k, 2) }

// readLabels reads y: class ids (N) or (N, 1), or one-hot rows (N, K).
func (p *problem) readLabels(y *tensor.Dense) error {
	if y == nil {
		return errors.Errorf("%s: nil labels y: want class ids (N) or (N, 1), or one-hot rows (N, %d)", p.what, p.k)
	}
	ys := tensorvals.Floats(y)
	shape := y.Shape()
	if ys == nil {
		ys = tensorvals.Ints(y)
	}
	switch {
	case ys == nil:
		return errors.Errorf("%s: labels of dtype %v: want floats or integers", p.what, y.Dtype())
	case shape[0] != p.n:
		return errors.Errorf("%s: labels of shape %v for %d rows of x", p.what, shape, p.n)
	}
	p.yWidth = len(ys) / p.n
	p.labels = make([]int, p.n)
	switch {
	case p.yWidth == 1:
		for i, v := range ys {
			if v != math.Trunc(v) || v < 0 || v >= float64(p.classes()) {
				return errors.Errorf("%s: label %g of row %d is not a class in [0, %d)", p.what, v, i, p.classes())
			}
			p.labels[i] = int(v)
		}
	case p.yWidth == p.k:
		for i := range p.labels {
			p.labels[i] = argmax(ys[i*p.k : (i+1)*p.k])
		}
	case p.k > 1:
		return errors.Errorf("%s: labels of shape %v: want class ids (%d) or (%d, 1), or one-hot rows (%d, %d)", p.what, shape, p.n, p.n, p.n, p.k)
	default:
		return errors.Errorf("%s: labels of shape %v: want class ids (%d) or (%d, 1)", p.what, shape, p.n, p.n)
	}
	return nil
}

// goal is the class each row's loss is taken against (its target, else its
// label) and the sign of the loss step: +1 ascends the label's loss, -1 descends
// the target's.
func (p *problem) goal() ([]int, float64) {
	if p.targets != nil {
		return p.targets, -1
	}
	return p.labels, 1
}

// lossTargets returns the loss targets for the classes in y's form: (N, 1) ids,
// or (N, K) one-hot rows.
func (p *problem) lossTargets(cls []int) *tensor.Dense {
	if p.yWidth == 1 {
		v := make([]float64, p.n)
		for i, k := range cls {
			v[i] = float64(k)
		}
		return tensor.New(tensor.WithShape(p.n, 1), tensor.WithBacking(v))
	}
	v := make([]float64, p.n*p.k)
	for i, k := range cls {
		v[i*p.k+k] = 1
	}
	return tensor.New(tensor.WithShape(p.n, p.k), tensor.WithBacking(v))
}

// tensorOf wraps a flat copy of v in the input's shape.
func (p *problem) tensorOf(v []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(append([]int(nil), p.shape...)...), tensor.WithBacking(append([]float64(nil), v...)))
}

// lossGradient returns the gradient of each row's loss against the classes cls
// with respect to the input at adv.
func (p *problem) lossGradient(adv []float64, cls []int) ([]float64, error) {
	g, err := p.t.InputGradients(p.tensorOf(adv), trainers.LossTarget(p.lossTargets(cls)), trainers.BatchSize(p.c.batch))
	if err != nil {
		return nil, errors.Wrapf(err, "%s: the gradient of the loss (give y in the form the trainer's loss takes)", p.what)
	}
	return tensorvals.Floats(g), nil
}

// predict returns the predicted class of each row of v and the output width.
// One output unit is a binary classifier's probability of class 1: class 1 when
// it is >= 0.5.
func (p *problem) predict(v []float64) ([]int, int, error) {
	out, err := p.t.Predict(p.tensorOf(v), trainers.BatchSize(p.c.batch))
	if err != nil {
		return nil, 0, errors.Wrap(err, p.what)
	}
	os := tensorvals.Floats(out)
	if os == nil || len(os)%p.n != 0 {
		return nil, 0, errors.Errorf("%s: the model's output of dtype %v and shape %v is not a float score per class", p.what, out.Dtype(), out.Shape())
	}
	k := len(os) / p.n
	cls := make([]int, p.n)
	for i := range cls {
		if k == 1 {
			if !(os[i] < 0.5) {
				cls[i] = 1
			}
			continue
		}
		cls[i] = argmax(os[i*k : (i+1)*k])
	}
	return cls, k, nil
}

// succeeded says whether a row predicted as pred meets the attack's goal.
func (p *problem) succeeded(i, pred int) bool {
	if p.targets != nil {
		return pred == p.targets[i]
	}
	return pred != p.labels[i]
}

// checkContext returns the context's error, if it is done.
func (p *problem) checkContext() error {
	if err := p.c.ctx.Err(); err != nil {
		return errors.Wrap(err, p.what)
	}
	return nil
}

// result predicts the adversarial rows and fills the Result.
func (p *problem) result(attack string, adv []float64) (*Result, error) {
	pred, _, err := p.predict(adv)
	if err != nil {
		return nil, err
	}
	r := &Result{Attack: attack, X: p.tensorOf(adv), Labels: p.labels, CleanPredicted: p.clean, Predicted: pred,
		Success: make([]bool, p.n), Linf: make([]float64, p.n), L2: make([]float64, p.n)}
	if p.targets != nil {
		r.Targets = p.targets
	}
	for i := range pred {
		r.Success[i] = p.succeeded(i, pred[i])
		r.Linf[i], r.L2[i] = distances(p.x[i*p.per:(i+1)*p.per], adv[i*p.per:(i+1)*p.per])
	}
	return r, nil
}
