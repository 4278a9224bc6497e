package privacy

import (
	"math"

	"github.com/pkg/errors"
)

// maxIntegrationPoints bounds the grid of IntegratedRDP.
const maxIntegrationPoints = 20000000

// IntegratedRDP returns the same quantity as RDP, computed independently by
// numerical integration of its defining integral
//
//	A_alpha = ∫ mu0(z) (mu(z)/mu0(z))^alpha dz,  mu0 = N(0, s^2),  mu = (1-q) N(0, s^2) + q N(1, s^2)
//
// with the trapezoidal rule (step s/20) over [-40 s, alpha + 40 s], which holds
// every peak of the integrand (at z = 0, 1, ..., alpha, each of width s) with
// e^-800 to spare; the rule converges exponentially on such smooth, quickly
// decaying integrands. When A_alpha is near 1 the sum is taken of
// mu0(z) ((mu/mu0)^alpha - 1), which integrates to A_alpha - 1 without the
// cancellation of log(A) ~ 0; otherwise in log space. It serves to check RDP
// (the tests require agreement within 1%; they agree far closer). It costs
// about 20 (alpha + 80 s)/s evaluations; the arguments are checked as RDP
// checks them.
func IntegratedRDP(rate, noise, order float64) (float64, error) {
	if err := checkMechanism(rate, noise); err != nil {
		return 0, err
	}
	if err := checkOrder(order); err != nil {
		return 0, err
	}
	s, q, alpha := noise, rate, order
	h := s / 20
	lo, hi := -40*s, alpha+40*s
	n := int(math.Ceil((hi-lo)/h)) + 1
	if n > maxIntegrationPoints {
		return 0, errors.Errorf("privacy: integrating order %g at noise %g needs %d points (at most %d)", order, noise, n, maxIntegrationPoints)
	}
	h = (hi - lo) / float64(n-1)
	logNorm := -math.Log(s * math.Sqrt(2*math.Pi))
	logQ, log1mQ := math.Log(q), math.Log1p(-q)
	// logRatio returns log(mu(z)/mu0(z)) = log((1-q) + q exp(x)), x = (z - 1/2)/s^2.
	logRatio := func(z float64) float64 {
		x := (z - 0.5) / (s * s)
		switch {
		case q == 1:
			return x
		case x < 30:
			return math.Log1p(q * math.Expm1(x))
		default:
			return x + logQ + math.Log1p(math.Exp(log1mQ-logQ-x))
		}
	}
	logMu0 := make([]float64, n)
	powLog := make([]float64, n) // alpha * log(mu/mu0)
	maxLog := math.Inf(-1)
	for k := range n {
		z := lo + float64(k)*h
		logMu0[k] = logNorm - z*z/(2*s*s)
		powLog[k] = alpha * logRatio(z)
		maxLog = math.Max(maxLog, logMu0[k]+powLog[k])
	}
	weight := func(k int) float64 {
		if k == 0 || k == n-1 {
			return h / 2
		}
		return h
	}
	var logA float64
	if maxLog < 50 {
		// A - 1 = ∫ mu0 ((mu/mu0)^alpha - 1): no term overflows.
		sum := 0.0
		for k := range n {
			if powLog[k] > 30 { // expm1 could overflow where mu0 underflows
				sum += weight(k) * (math.Exp(logMu0[k]+powLog[k]) - math.Exp(logMu0[k]))
			} else {
				sum += weight(k) * math.Exp(logMu0[k]) * math.Expm1(powLog[k])
			}
		}
		logA = math.Log1p(sum)
	} else {
		sum := 0.0
		for k := range n {
			sum += weight(k) * math.Exp(logMu0[k]+powLog[k]-maxLog)
		}
		logA = maxLog + math.Log(sum)
	}
	return logA / (alpha - 1), nil
}
