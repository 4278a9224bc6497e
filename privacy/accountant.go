package privacy

import (
	"math"

	"github.com/pkg/errors"
)

// DefaultOrders returns a new slice of the Rényi orders an Accountant tracks by
// default, those of TensorFlow Privacy's compute_dp_sgd_privacy:
// 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, every integer from 5 to 63,
// then 128, 256 and 512 (72 orders). Small orders serve large epsilons (little
// noise, many steps), large orders small ones.
func DefaultOrders() []float64 {
	orders := []float64{1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5}
	for a := 5; a < 64; a++ {
		orders = append(orders, float64(a))
	}
	return append(orders, 128, 256, 512)
}

// Accountant adds up the Rényi differential privacy of a sequence of sampled
// Gaussian mechanisms (RDP composes by addition at each order) and converts the
// total into (epsilon, delta)-DP. The zero value is not usable: make one with
// NewAccountant. An Accountant is not safe for concurrent use.
type Accountant struct {
	orders []float64
	rdp    []float64
	steps  int
}

// NewAccountant returns an Accountant over DefaultOrders, with no step taken.
func NewAccountant() *Accountant {
	a, _ := NewAccountantOrders(DefaultOrders()) // the defaults are valid
	return a
}

// NewAccountantOrders returns an Accountant over the given orders (copied),
// each in (1, MaxOrder]; at least one.
func NewAccountantOrders(orders []float64) (*Accountant, error) {
	if len(orders) == 0 {
		return nil, errors.New("privacy: an accountant needs at least one order")
	}
	for _, o := range orders {
		if err := checkOrder(o); err != nil {
			return nil, err
		}
	}
	return &Accountant{orders: append([]float64(nil), orders...), rdp: make([]float64, len(orders))}, nil
}

// Step records steps applications of the sampled Gaussian mechanism with noise
// multiplier noise (standard deviation over L2 sensitivity, positive) and
// Poisson sampling rate rate (in (0, 1]); steps must be at least 1. On error
// the Accountant is unchanged.
func (a *Accountant) Step(noise, rate float64, steps int) error {
	if steps < 1 {
		return errors.Errorf("privacy: steps %d must be at least 1", steps)
	}
	if err := checkMechanism(rate, noise); err != nil {
		return err
	}
	add := make([]float64, len(a.orders))
	for k, o := range a.orders {
		r, err := RDP(rate, noise, o)
		if err != nil {
			return err
		}
		add[k] = r * float64(steps)
	}
	for k := range a.rdp {
		a.rdp[k] += add[k]
	}
	a.steps += steps
	return nil
}

// Epsilon returns the epsilon for which the steps recorded so far are
// (epsilon, delta)-DP by the Improved conversion (the default: the tighter
// one), and the order that attains it. delta must be in (0, 1). Before any
// step epsilon is 0.
func (a *Accountant) Epsilon(delta float64) (eps, order float64, err error) {
	return a.EpsilonConversion(delta, Improved)
}

// EpsilonConversion is Epsilon with the conversion conv (Improved or Classic).
func (a *Accountant) EpsilonConversion(delta float64, conv Conversion) (eps, order float64, err error) {
	return EpsilonFromRDP(a.orders, a.rdp, delta, conv)
}

// Orders returns a copy of the orders tracked.
func (a *Accountant) Orders() []float64 { return append([]float64(nil), a.orders...) }

// RDP returns a copy of the total RDP, in nats, at each of Orders.
func (a *Accountant) RDP() []float64 { return append([]float64(nil), a.rdp...) }

// Steps returns the number of steps recorded.
func (a *Accountant) Steps() int { return a.steps }

// Spent is the privacy that a DP-SGD training spends.
type Spent struct {
	Epsilon         float64    // epsilon, in nats, by Conversion
	Delta           float64    // the target delta
	Order           float64    // the Rényi order that attains Epsilon
	NoiseMultiplier float64    // noise standard deviation over the clipping norm
	SamplingRate    float64    // batch / n
	Steps           int        // epochs * ceil(n / batch)
	Conversion      Conversion // Improved
}

// DPSGDSteps returns the number of steps of epochs passes over n examples in
// batches of batch: epochs * ceil(n/batch), the last partial batch included.
// n, batch and epochs must be at least 1, batch at most n.
func DPSGDSteps(n, batch, epochs int) (int, error) {
	switch {
	case n < 1:
		return 0, errors.Errorf("privacy: n %d (examples) must be at least 1", n)
	case batch < 1:
		return 0, errors.Errorf("privacy: batch %d must be at least 1", batch)
	case batch > n:
		return 0, errors.Errorf("privacy: batch %d must be at most n %d", batch, n)
	case epochs < 1:
		return 0, errors.Errorf("privacy: epochs %d must be at least 1", epochs)
	}
	perEpoch := (n + batch - 1) / batch
	if epochs > math.MaxInt32/perEpoch {
		return 0, errors.Errorf("privacy: %d epochs of %d steps exceed %d steps", epochs, perEpoch, math.MaxInt32)
	}
	return epochs * perEpoch, nil
}

// DPSGDEpsilon returns the privacy spent by DP-SGD on n examples with batches
// of batch, noise multiplier noise, for epochs epochs, at delta: the sampled
// Gaussian mechanism at rate q = batch/n composed over DPSGDSteps steps, over
// DefaultOrders, by the Improved conversion.
//
// The analysis assumes Poisson sampling: each step includes each example
// independently with probability q, so batch sizes vary. Most training loops
// (gokeras' trainers included) instead shuffle and cut fixed-size batches, each
// example seen exactly once per epoch; reporting this epsilon for them is a
// common approximation, not a proven guarantee. It also assumes add-or-remove-
// one adjacency and per-example clipping (no microbatches of several
// examples, which double the sensitivity).
func DPSGDEpsilon(n, batch int, noise float64, epochs int, delta float64) (Spent, error) {
	steps, err := DPSGDSteps(n, batch, epochs)
	if err != nil {
		return Spent{}, err
	}
	if err := checkDelta(delta); err != nil {
		return Spent{}, err
	}
	q := float64(batch) / float64(n)
	acc := NewAccountant()
	if err := acc.Step(noise, q, steps); err != nil {
		return Spent{}, err
	}
	eps, order, err := acc.Epsilon(delta)
	if err != nil {
		return Spent{}, err
	}
	return Spent{Epsilon: eps, Delta: delta, Order: order, NoiseMultiplier: noise, SamplingRate: q, Steps: steps, Conversion: Improved}, nil
}
