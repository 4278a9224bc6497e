package privacy

import (
	"fmt"
	"math"
	"testing"
)

// TestClosedFormMatchesIntegration checks RDP (closed form for integer orders,
// series for fractional ones) against IntegratedRDP, the numerical integration
// of the defining integral, within 1% relative on a grid of rates, noise
// multipliers and orders.
func TestClosedFormMatchesIntegration(t *testing.T) {
	worst, worstAt := 0.0, ""
	for _, q := range []float64{1e-3, 256.0 / 60000, 0.01, 0.1, 0.5, 0.9, 1} {
		for _, sigma := range []float64{0.6, 0.8, 1.1, 2, 5, 10} {
			for _, alpha := range []float64{1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4.5, 7, 10.5, 16, 32, 64} {
				at := fmt.Sprintf("q=%g sigma=%g alpha=%g", q, sigma, alpha)
				want, err := RDP(q, sigma, alpha)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				got, err := IntegratedRDP(q, sigma, alpha)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				e := relErr(got, want)
				if e > worst {
					worst, worstAt = e, at
				}
				if !(e <= 0.01) {
					t.Errorf("%s: closed form %.10g, integration %.10g (rel %.2g)", at, want, got, e)
				}
			}
		}
	}
	t.Logf("worst relative difference %.2g at %s", worst, worstAt)
}

// TestRateOneIsGaussian: at rate 1 the mechanism is the plain Gaussian one,
// alpha/(2 sigma^2); the closed form just below rate 1 and the integration at
// rate 1 agree with it.
func TestRateOneIsGaussian(t *testing.T) {
	for _, c := range []struct{ sigma, alpha float64 }{{0.7, 2}, {1.1, 8}, {1.1, 2.5}, {3, 32}, {0.9, 1.5}} {
		want := c.alpha / (2 * c.sigma * c.sigma)
		got, err := RDP(1, c.sigma, c.alpha)
		if err != nil || got != want {
			t.Errorf("RDP(1, %g, %g) = %g, %v; want %g", c.sigma, c.alpha, got, err, want)
		}
		near, err := RDP(1-1e-9, c.sigma, c.alpha)
		if err != nil || relErr(near, want) > 1e-6 {
			t.Errorf("RDP(1-1e-9, %g, %g) = %.10g, %v; want about %.10g", c.sigma, c.alpha, near, err, want)
		}
		integ, err := IntegratedRDP(1, c.sigma, c.alpha)
		if err != nil || relErr(integ, want) > 1e-6 {
			t.Errorf("IntegratedRDP(1, %g, %g) = %.10g, %v; want %.10g", c.sigma, c.alpha, integ, err, want)
		}
	}
}

// TestRDPMonotone: RDP grows with the order and the rate and falls with the
// noise.
func TestRDPMonotone(t *testing.T) {
	rdp := func(q, sigma, alpha float64) float64 {
		r, err := RDP(q, sigma, alpha)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	orders := DefaultOrders()
	for _, q := range []float64{0.001, 0.01, 0.3} {
		for _, sigma := range []float64{0.7, 1.1, 4} {
			for k := 1; k < len(orders); k++ {
				if lo, hi := rdp(q, sigma, orders[k-1]), rdp(q, sigma, orders[k]); !(lo <= hi) {
					t.Errorf("q=%g sigma=%g: RDP %g at order %g above %g at %g", q, sigma, lo, orders[k-1], hi, orders[k])
				}
			}
		}
	}
	for _, alpha := range []float64{1.5, 2, 8, 32} {
		if !(rdp(0.01, 1.1, alpha) < rdp(0.02, 1.1, alpha) && rdp(0.02, 1.1, alpha) < rdp(0.02, 1, alpha)) {
			t.Errorf("order %g: RDP not increasing with the rate or not decreasing with the noise", alpha)
		}
	}
}

// TestLogErfc checks the asymptotic branch against math.Erfc where both hold.
func TestLogErfc(t *testing.T) {
	for _, x := range []float64{-3, 0, 1, 5, 20, 25} {
		if got, want := logErfc(x), math.Log(math.Erfc(x)); relErr(got, want) > 1e-14 {
			t.Errorf("logErfc(%g) = %.17g, want %.17g", x, got, want)
		}
	}
	x := 25.0
	if direct, series := math.Log(math.Erfc(x)), logErfc(math.Nextafter(x, 30)); relErr(series, direct) > 1e-12 {
		t.Errorf("the series at 25+ gives %.17g, erfc %.17g", series, direct)
	}
	if v := logErfc(100); !(v < -10000) || math.IsInf(v, 0) {
		t.Errorf("logErfc(100) = %g, want about -10004.6", v)
	}
}
