package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Regularizer is a weight penalty added to the loss: Keras' L1, L2 and L1L2.
type Regularizer struct {
	// L1 multiplies sum(|w|); L2 multiplies sum(w²) (Keras' l2, without a 1/2).
	L1, L2 float64
}

// L1 returns the penalty l·sum(|w|).
func L1(l float64) Regularizer { return Regularizer{L1: l} }

// L2 returns the penalty l·sum(w²).
func L2(l float64) Regularizer { return Regularizer{L2: l} }

// IsZero reports whether the regularizer adds nothing.
func (r Regularizer) IsZero() bool { return r.L1 == 0 && r.L2 == 0 }

// Penalty builds the scalar penalty of w, or returns nil when r is zero.
func (r Regularizer) Penalty(w *G.Node) (*G.Node, error) {
	if r.L1 < 0 || r.L2 < 0 {
		return nil, errors.Errorf("regularizer: l1 %g and l2 %g must not be negative", r.L1, r.L2)
	}
	var total *G.Node
	add := func(n *G.Node, err error) error {
		if err != nil {
			return err
		}
		if total == nil {
			total = n
			return nil
		}
		total, err = G.Add(total, n)
		return err
	}
	if r.L1 != 0 {
		if err := add(r.term(w, absFn, r.L1)); err != nil {
			return nil, errors.Wrap(err, "l1 penalty")
		}
	}
	if r.L2 != 0 {
		if err := add(r.term(w, elemFunc{"square", func(x float64) float64 { return x * x }, func(x float64) float64 { return 2 * x }}, r.L2)); err != nil {
			return nil, errors.Wrap(err, "l2 penalty")
		}
	}
	return total, nil
}

func (r Regularizer) term(w *G.Node, fn elemFunc, l float64) (*G.Node, error) {
	a, err := applyElem(fn, w)
	if err != nil {
		return nil, err
	}
	s, err := SumAll(a)
	if err != nil {
		return nil, err
	}
	return G.Mul(s, scalarOf(w.Dtype(), l))
}
