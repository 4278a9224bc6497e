package trainers

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// solver adapts an Optimizer to Gorgonia's Solver interface, for hand-written
// Gorgonia loops (machines built with G.BindDualValues).
type solver struct {
	opt    Optimizer
	params []*graph.Param
	grads  []*tensor.Dense
}

// NewSolver returns a G.Solver that applies opt: the in-place, allocation-free
// optimizers of this package (and their schedules and clipping) in any Gorgonia
// program. Step must be given the same nodes, in the same order, at every call.
func NewSolver(opt Optimizer) G.Solver { return &solver{opt: opt} }

// Step updates every value in place from its gradient, then zeroes the gradient.
func (s *solver) Step(model []G.ValueGrad) (err error) {
	defer recoverTo(&err, "solver step")
	if s.params == nil {
		s.params = make([]*graph.Param, len(model))
		s.grads = make([]*tensor.Dense, len(model))
	}
	if len(model) != len(s.params) {
		return errors.Errorf("solver: %d values, earlier %d", len(model), len(s.params))
	}
	for i, vg := range model {
		v, ok := vg.Value().(*tensor.Dense)
		if !ok {
			return errors.Errorf("solver: value %d is %T, want a dense tensor", i, vg.Value())
		}
		g, err := vg.Grad()
		if err != nil {
			return errors.Wrapf(err, "solver: gradient %d", i)
		}
		gd, ok := g.(*tensor.Dense)
		if !ok {
			return errors.Errorf("solver: gradient %d is %T, want a dense tensor", i, g)
		}
		if s.params[i] == nil || s.params[i].Value != v {
			s.params[i] = &graph.Param{Name: fmt.Sprintf("value_%d", i), Value: v, Trainable: true}
		}
		s.grads[i] = gd
	}
	if err := s.opt.Step(s.params, s.grads); err != nil {
		return err
	}
	// Machines built with BindDualValues add into the gradients: clear them, as
	// Gorgonia's own solvers do.
	for _, g := range s.grads {
		g.Zero()
	}
	return nil
}
