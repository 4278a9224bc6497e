package privacy

import (
	"math"

	"github.com/pkg/errors"
)

// MaxOrder is the largest Rényi order the package accepts. The closed form for
// an integer order alpha sums alpha+1 terms; 10,000 keeps a call under a
// millisecond and is far above any useful order (the defaults stop at 512).
const MaxOrder = 10000

// maxFracTerms bounds the series for a fractional order. Its terms decay like
// i^-(alpha+2); an order of 1.01 needs about 10^6 of them.
const maxFracTerms = 50000000

// RDP returns the Rényi differential privacy, in nats, of one step of the
// sampled Gaussian mechanism at the given order: each record is included with
// probability rate (Poisson sampling) and Gaussian noise of standard deviation
// noise times the L2 sensitivity is added to the sum (noise is the "noise
// multiplier" of DP-SGD). It is log(A_alpha)/(alpha-1) with
//
//	A_alpha = E_{z~N(0,s^2)} [ ((1-q) + q*exp((2z-1)/(2s^2)))^alpha ]
//
// (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled
// Gaussian Mechanism", Sec. 3.3), s = noise and q = rate. For an integer order
// A_alpha is the binomial sum of Sec. 3.3 computed in log space (as TensorFlow
// Privacy's _compute_log_a_int); for a fractional order it is the convergent
// series of TensorFlow Privacy's _compute_log_a_frac (two tails split at
// z0 = s^2 log(1/q-1) + 1/2, stopped when both terms fall below e^-30). A rate
// of 1 gives the plain Gaussian mechanism's alpha/(2 s^2).
//
// rate must be in (0, 1], noise positive and finite, order in (1, MaxOrder].
func RDP(rate, noise, order float64) (float64, error) {
	if err := checkMechanism(rate, noise); err != nil {
		return 0, err
	}
	if err := checkOrder(order); err != nil {
		return 0, err
	}
	if rate == 1 {
		return order / (2 * noise * noise), nil
	}
	var logA float64
	var err error
	if order == math.Trunc(order) {
		logA = logAInt(rate, noise, int(order))
	} else {
		logA, err = logAFrac(rate, noise, order)
		if err != nil {
			return 0, err
		}
	}
	return logA / (order - 1), nil
}

// checkMechanism checks a sampling rate and a noise multiplier.
func checkMechanism(rate, noise float64) error {
	if !(rate > 0 && rate <= 1) {
		return errors.Errorf("privacy: sampling rate %g must be in (0, 1]", rate)
	}
	if !(noise > 0) || math.IsInf(noise, 1) {
		return errors.Errorf("privacy: noise multiplier %g must be positive and finite", noise)
	}
	return nil
}

// checkOrder checks a Rényi order.
func checkOrder(order float64) error {
	if !(order > 1 && order <= MaxOrder) {
		return errors.Errorf("privacy: Rényi order %g must be in (1, %d]", order, MaxOrder)
	}
	return nil
}

// logAdd returns log(exp(x) + exp(y)); -Inf stands for 0.
func logAdd(x, y float64) float64 {
	a, b := math.Min(x, y), math.Max(x, y)
	if math.IsInf(a, -1) {
		return b
	}
	return math.Log1p(math.Exp(a-b)) + b
}

// logSub returns log(exp(x) - exp(y)) for x >= y; -Inf stands for 0. A y above
// x (only by rounding in the series) gives -Inf, the nearest value that is
// not negative.
func logSub(x, y float64) float64 {
	switch {
	case math.IsInf(y, -1):
		return x
	case x <= y:
		return math.Inf(-1)
	}
	d := math.Expm1(x - y)
	if math.IsInf(d, 1) {
		return x
	}
	return math.Log(d) + y
}

// logAInt returns log(A_alpha) for an integer order, 0 < q < 1:
// A = sum_i C(alpha,i) q^i (1-q)^(alpha-i) exp((i^2-i)/(2 s^2)).
func logAInt(q, sigma float64, alpha int) float64 {
	logQ, log1mQ := math.Log(q), math.Log1p(-q)
	logA := math.Inf(-1)
	logBinom := 0.0 // log C(alpha, i), updated by the ratio (alpha-i+1)/i
	for i := 0; i <= alpha; i++ {
		if i > 0 {
			logBinom += math.Log(float64(alpha-i+1)) - math.Log(float64(i))
		}
		fi := float64(i)
		s := logBinom + fi*logQ + float64(alpha-i)*log1mQ + (fi*fi-fi)/(2*sigma*sigma)
		logA = logAdd(logA, s)
	}
	return logA
}

// logAFrac returns log(A_alpha) for a fractional order, 0 < q < 1, by the
// series of Mironov et al. 2019 (Sec. 3.3) as TensorFlow Privacy sums it.
func logAFrac(q, sigma, alpha float64) (float64, error) {
	logA0, logA1 := math.Inf(-1), math.Inf(-1)
	logQ, log1mQ := math.Log(q), math.Log1p(-q)
	z0 := sigma*sigma*math.Log(1/q-1) + 0.5
	logBinom, positive := 0.0, true // log |C(alpha, i)| and its sign
	for i := 0; ; i++ {
		if i > 0 {
			r := (alpha - float64(i) + 1) / float64(i)
			logBinom += math.Log(math.Abs(r))
			if r < 0 {
				positive = !positive
			}
		}
		fi := float64(i)
		j := alpha - fi
		logT0 := logBinom + fi*logQ + j*log1mQ
		logT1 := logBinom + j*logQ + fi*log1mQ
		logE0 := math.Log(0.5) + logErfc((fi-z0)/(math.Sqrt2*sigma))
		logE1 := math.Log(0.5) + logErfc((z0-j)/(math.Sqrt2*sigma))
		logS0 := logT0 + (fi*fi-fi)/(2*sigma*sigma) + logE0
		logS1 := logT1 + (j*j-j)/(2*sigma*sigma) + logE1
		if positive {
			logA0, logA1 = logAdd(logA0, logS0), logAdd(logA1, logS1)
		} else {
			logA0, logA1 = logSub(logA0, logS0), logSub(logA1, logS1)
		}
		if math.Max(logS0, logS1) < -30 {
			break
		}
		if i >= maxFracTerms {
			return 0, errors.Errorf("privacy: the series for order %g, rate %g, noise %g did not converge in %d terms", alpha, q, sigma, maxFracTerms)
		}
	}
	return logAdd(logA0, logA1), nil
}

// logErfc returns log(erfc(x)), accurate where erfc underflows: beyond x = 25
// it uses the asymptotic series
// log erfc(x) ~ -x^2 - log(x) - log(pi)/2 - 1/(2x^2) + 5/(8x^4) - 37/(24x^6) + 353/(64x^8),
// whose first omitted term is below 1e-13 there.
func logErfc(x float64) float64 {
	if x <= 25 {
		return math.Log(math.Erfc(x))
	}
	x2 := x * x
	return -math.Log(math.Pi)/2 - math.Log(x) - x2 - 0.5/x2 + 0.625/(x2*x2) -
		37.0/24.0/(x2*x2*x2) + 353.0/64.0/(x2*x2*x2*x2)
}
