package privacy

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// fixtures is testdata/fixtures.json, written by testdata/make_fixtures.py (an
// independent Python implementation of TensorFlow Privacy's RDP accountant).
type fixtures struct {
	RDP []struct {
		Q, Sigma, Order, RDP float64
		RDPQuad              *float64 `json:"rdp_quad"`
	} `json:"rdp"`
	DPSGD []struct {
		N, Batch, Epochs, Steps int
		Noise, Delta, Q         float64
		EpsImproved             float64 `json:"eps_improved"`
		OrderImproved           float64 `json:"order_improved"`
		EpsClassic              float64 `json:"eps_classic"`
		OrderClassic            float64 `json:"order_classic"`
	} `json:"dpsgd"`
	Published []struct {
		Name, Orders, Conversion string
		Q, Noise, Delta          float64
		Steps                    int
		PublishedEps             float64  `json:"published_eps"`
		PublishedOrder           *float64 `json:"published_order"`
		Eps, Order               float64
	} `json:"published"`
	DefaultOrders []float64 `json:"default_orders"`
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.RDP) == 0 || len(f.DPSGD) == 0 || len(f.Published) == 0 {
		t.Fatalf("fixtures incomplete: %d rdp, %d dpsgd, %d published", len(f.RDP), len(f.DPSGD), len(f.Published))
	}
	return f
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// TestRDPMatchesPython compares RDP with the Python implementation, 1e-9
// relative, and with scipy's quadrature of the defining integral.
func TestRDPMatchesPython(t *testing.T) {
	f := loadFixtures(t)
	worst, worstQuad := 0.0, 0.0
	for _, c := range f.RDP {
		got, err := RDP(c.Q, c.Sigma, c.Order)
		if err != nil {
			t.Fatalf("RDP(%g, %g, %g): %v", c.Q, c.Sigma, c.Order, err)
		}
		e := relErr(got, c.RDP)
		worst = math.Max(worst, e)
		if e > 1e-9 {
			t.Errorf("RDP(q=%g, sigma=%g, order=%g) = %.17g, Python %.17g (rel %.2g)", c.Q, c.Sigma, c.Order, got, c.RDP, e)
		}
		if c.RDPQuad != nil {
			e := relErr(got, *c.RDPQuad)
			worstQuad = math.Max(worstQuad, e)
			if e > 1e-6 {
				t.Errorf("RDP(q=%g, sigma=%g, order=%g) = %.17g, scipy quad %.17g (rel %.2g)", c.Q, c.Sigma, c.Order, got, *c.RDPQuad, e)
			}
		}
	}
	t.Logf("%d RDP values: worst relative difference %.2g from Python's closed forms, %.2g from scipy's quadrature", len(f.RDP), worst, worstQuad)
}

// TestDPSGDMatchesPython compares DPSGDEpsilon (improved) and the classic
// conversion with the Python implementation, 1e-6 relative.
func TestDPSGDMatchesPython(t *testing.T) {
	f := loadFixtures(t)
	if want := DefaultOrders(); len(want) != len(f.DefaultOrders) {
		t.Fatalf("%d default orders, Python has %d", len(want), len(f.DefaultOrders))
	} else {
		for k := range want {
			if want[k] != f.DefaultOrders[k] {
				t.Fatalf("default order %d: %g, Python %g", k, want[k], f.DefaultOrders[k])
			}
		}
	}
	for _, c := range f.DPSGD {
		s, err := DPSGDEpsilon(c.N, c.Batch, c.Noise, c.Epochs, c.Delta)
		if err != nil {
			t.Fatal(err)
		}
		if s.Steps != c.Steps || s.SamplingRate != c.Q {
			t.Errorf("n=%d batch=%d: steps %d rate %g, Python %d %g", c.N, c.Batch, s.Steps, s.SamplingRate, c.Steps, c.Q)
		}
		if e := relErr(s.Epsilon, c.EpsImproved); e > 1e-6 || s.Order != c.OrderImproved {
			t.Errorf("%+v: improved eps %.12g at order %g, Python %.12g at %g", c, s.Epsilon, s.Order, c.EpsImproved, c.OrderImproved)
		}
		acc := NewAccountant()
		if err := acc.Step(c.Noise, c.Q, c.Steps); err != nil {
			t.Fatal(err)
		}
		eps, order, err := acc.EpsilonConversion(c.Delta, Classic)
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(eps, c.EpsClassic); e > 1e-6 || order != c.OrderClassic {
			t.Errorf("%+v: classic eps %.12g at order %g, Python %.12g at %g", c, eps, order, c.EpsClassic, c.OrderClassic)
		}
	}
}

// TestPublishedValues checks the accountant against values TensorFlow Privacy
// published: its compute_dp_sgd_privacy_test.py (eps and order at 1e-6
// relative) and its MNIST tutorial's "epsilon is: 2.92" (tutorials/README.md;
// to the two decimals printed).
func TestPublishedValues(t *testing.T) {
	f := loadFixtures(t)
	tutorialOrders := func() []float64 {
		var o []float64
		for x := 1; x < 100; x++ {
			o = append(o, 1+float64(x)/10)
		}
		for a := 12; a < 64; a++ {
			o = append(o, float64(a))
		}
		return o
	}
	for _, c := range f.Published {
		t.Run(c.Name, func(t *testing.T) {
			acc := NewAccountant()
			if c.Orders == "tutorial" {
				var err error
				if acc, err = NewAccountantOrders(tutorialOrders()); err != nil {
					t.Fatal(err)
				}
			}
			conv := Improved
			if c.Conversion == "classic" {
				conv = Classic
			}
			if err := acc.Step(c.Noise, c.Q, c.Steps); err != nil {
				t.Fatal(err)
			}
			eps, order, err := acc.EpsilonConversion(c.Delta, conv)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(eps, c.Eps); e > 1e-6 || order != c.Order {
				t.Errorf("eps %.12g at order %g, Python %.12g at %g", eps, order, c.Eps, c.Order)
			}
			if c.PublishedOrder != nil {
				if e := relErr(eps, c.PublishedEps); e > 1e-6 || order != *c.PublishedOrder {
					t.Errorf("eps %.12g at order %g, published %.12g at %g", eps, order, c.PublishedEps, *c.PublishedOrder)
				}
			} else if math.Abs(eps-c.PublishedEps) > 0.005 {
				t.Errorf("eps %.12g, published %.2f", eps, c.PublishedEps)
			}
			t.Logf("eps %.10g at order %g (published %g)", eps, order, c.PublishedEps)
		})
	}
}
