package trainers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// float is the element type of parameters; kernels are instantiated for both.
type float interface{ ~float32 | ~float64 }

// baseOpt holds what every optimizer shares: settings, the step count, per-parameter
// state buffers (slots) and clipping.
type baseOpt struct {
	name  string
	cfg   optConfig
	err   error
	iter  int
	slots int               // state buffers per parameter
	state [][]*tensor.Dense // state[param][slot]; nil for a parameter whose state is by rows
	// rows holds, per parameter updated by rows, its *rowStore[float32] or
	// *rowStore[float64]: lazy (state[param] nil) or wrapping state[param].
	rows   []any
	clipTs []*tensor.Dense // the gradients to clip, row gradients' values included
}

func newBase(name string, lr float64, slots int, allowed []string, opts []OptimizerOption) baseOpt {
	cfg, err := newOptConfig(name, lr, allowed, opts)
	return baseOpt{name: name, cfg: cfg, err: err, slots: slots}
}

func (o *baseOpt) Name() string    { return o.name }
func (o *baseOpt) Iterations() int { return o.iter }

func (o *baseOpt) LearningRate() float64 {
	if o.cfg.schedule != nil {
		return o.cfg.schedule.Rate(o.iter)
	}
	return o.cfg.lr
}

func (o *baseOpt) SetLearningRate(lr float64) error {
	if o.cfg.schedule != nil {
		return errors.Errorf("optimizer %s follows a schedule; its learning rate cannot be set", o.name)
	}
	if lr <= 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return errors.Errorf("optimizer %s: learning rate %g must be positive and finite", o.name, lr)
	}
	o.cfg.lr = lr
	return nil
}

// prepare checks a call with dense gradients only, allocates the state on the
// first step (filled with init), and clips the gradients in place (see
// prepareRows).
func (o *baseOpt) prepare(params []*graph.Param, grads []*tensor.Dense, init float64) error {
	return o.prepareRows(params, grads, nil, init, 0)
}

// slot returns state buffer s of parameter i as a slice of T.
func slot[T float](o *baseOpt, i, s int) []T { return o.state[i][s].Data().([]T) }

func fill(t *tensor.Dense, v float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v)
		}
	case []float64:
		for i := range d {
			d[i] = v
		}
	}
}

// step dispatches one parameter's update to the float32 or float64 kernel.
func step(p *graph.Param, g *tensor.Dense, f32 func(p, g []float32), f64 func(p, g []float64)) {
	switch d := p.Value.Data().(type) {
	case []float32:
		f32(d, g.Data().([]float32))
	case []float64:
		f64(d, g.Data().([]float64))
	}
}
