package adversarial

import (
	"math"
)

// argmax is the index of the largest value (the first of ties; NaN never wins).
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// sign is -1, 0 or 1.
func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// clip keeps v in [lo, hi].
func clip(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// projectLinf moves each adv[j] into [x[j]-eps, x[j]+eps] ∩ [lo, hi], exactly:
// a value that rounding would leave beyond eps steps back towards x.
func projectLinf(x, adv []float64, eps, lo, hi float64) {
	for j, v := range adv {
		v = x[j] + clip(v-x[j], -eps, eps)
		for v-x[j] > eps {
			v = math.Nextafter(v, x[j])
		}
		for x[j]-v > eps {
			v = math.Nextafter(v, x[j])
		}
		adv[j] = clip(v, lo, hi)
	}
}

// projectL2 scales adv - x down to an L2 norm of at most eps, then keeps the
// values in [lo, hi] (which only brings them nearer x, since x is in range). The
// norm of the result, as distances measures it, is at most eps.
func projectL2(x, adv []float64, eps, lo, hi float64) {
	for j := range adv {
		adv[j] = clip(adv[j], lo, hi)
	}
	for range 60 {
		_, d := distances(x, adv)
		if d <= eps {
			return
		}
		f := eps / d * (1 - 1e-12)
		for j := range adv {
			adv[j] = clip(x[j]+(adv[j]-x[j])*f, lo, hi)
		}
	}
	copy(adv, x) // not reached: the scaling converges in a step or two
}

// distances returns the L-inf and L2 norms of adv - x.
func distances(x, adv []float64) (linf, l2 float64) {
	for j, v := range adv {
		d := math.Abs(v - x[j])
		linf = math.Max(linf, d)
		l2 += d * d
	}
	return linf, math.Sqrt(l2)
}

// l2norm is the L2 norm of v.
func l2norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
