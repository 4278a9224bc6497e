package privacy

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
)

// Conversion names a bound that turns RDP guarantees at several orders into
// (epsilon, delta)-differential privacy.
type Conversion int

const (
	// Improved is the default: the bound of Balle et al. 2020 ("Hypothesis
	// testing interpretations and Rényi differential privacy", Thm. 21) and
	// Canonne, Kamath and Steinke 2020 (Prop. 12), as TensorFlow Privacy's
	// compute_eps (dp_accounting) and Opacus' get_privacy_spent use it:
	//
	//	eps = min over alpha of rdp(alpha) + log((alpha-1)/alpha) - (log(delta) + log(alpha))/(alpha-1)
	//
	// Orders at or below 1.01 are skipped (the bound is unstable there), an
	// order whose RDP r satisfies delta^2 >= 1 - exp(-r) gives 0 (the KL bound),
	// and the result is at least 0. It is never above Classic's.
	Improved Conversion = iota
	// Classic is the bound of Mironov 2017 ("Rényi Differential Privacy",
	// Prop. 3) that the original moments accountant and older TensorFlow
	// Privacy printed: eps = min over alpha of rdp(alpha) + log(1/delta)/(alpha-1).
	Classic
)

// String returns "improved" or "classic".
func (c Conversion) String() string {
	switch c {
	case Improved:
		return "improved"
	case Classic:
		return "classic"
	}
	return "Conversion(" + strconv.Itoa(int(c)) + ")"
}

// EpsilonFromRDP returns the smallest epsilon, over the given orders, such that
// mechanisms with these RDP values (in nats, rdp[k] at orders[k]) are
// (epsilon, delta)-DP by the conversion conv, and the order that attains it
// (the first such order on a tie). delta must be in (0, 1); orders in
// (1, +Inf) and rdp values at least 0 (+Inf allowed), of the same length. The
// result is +Inf when no order gives a finite bound.
func EpsilonFromRDP(orders, rdp []float64, delta float64, conv Conversion) (eps, order float64, err error) {
	if err := checkDelta(delta); err != nil {
		return 0, 0, err
	}
	if len(orders) == 0 || len(orders) != len(rdp) {
		return 0, 0, errors.Errorf("privacy: %d orders and %d RDP values: need as many of each, at least one", len(orders), len(rdp))
	}
	if conv != Improved && conv != Classic {
		return 0, 0, errors.Errorf("privacy: unknown conversion %d", int(conv))
	}
	best, bestOrder := math.Inf(1), orders[0]
	for k, a := range orders {
		r := rdp[k]
		if !(a > 1) || math.IsInf(a, 1) {
			return 0, 0, errors.Errorf("privacy: order %g must be above 1 and finite", a)
		}
		if !(r >= 0) {
			return 0, 0, errors.Errorf("privacy: RDP %g at order %g must be at least 0", r, a)
		}
		var e float64
		switch {
		case conv == Classic:
			e = r - math.Log(delta)/(a-1)
		case delta*delta+math.Expm1(-r) >= 0:
			e = 0
		case a > 1.01:
			e = r + math.Log1p(-1/a) - math.Log(delta*a)/(a-1)
		default:
			e = math.Inf(1)
		}
		if e < best {
			best, bestOrder = e, a
		}
	}
	return math.Max(0, best), bestOrder, nil
}

// checkDelta checks a target delta.
func checkDelta(delta float64) error {
	if !(delta > 0 && delta < 1) {
		return errors.Errorf("privacy: delta %g must be in (0, 1)", delta)
	}
	return nil
}
