package privacy

import (
	"math"
	"strings"
	"testing"
)

// TestErrors: impossible settings fail with an error naming the value.
func TestErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	dpsgd := func(n, batch int, noise float64, epochs int, delta float64) func() error {
		return func() error { _, err := DPSGDEpsilon(n, batch, noise, epochs, delta); return err }
	}
	rdp := func(q, sigma, alpha float64) func() error {
		return func() error { _, err := RDP(q, sigma, alpha); return err }
	}
	integ := func(q, sigma, alpha float64) func() error {
		return func() error { _, err := IntegratedRDP(q, sigma, alpha); return err }
	}
	step := func(noise, rate float64, steps int) func() error {
		return func() error { return NewAccountant().Step(noise, rate, steps) }
	}
	eps := func(orders, r []float64, delta float64, conv Conversion) func() error {
		return func() error { _, _, err := EpsilonFromRDP(orders, r, delta, conv); return err }
	}
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"delta 0", dpsgd(60000, 256, 1.1, 60, 0), "delta 0 must be in (0, 1)"},
		{"delta 1", dpsgd(60000, 256, 1.1, 60, 1), "delta 1 must be in (0, 1)"},
		{"delta negative", dpsgd(60000, 256, 1.1, 60, -1e-5), "delta -1e-05"},
		{"delta NaN", dpsgd(60000, 256, 1.1, 60, nan), "delta NaN"},
		{"noise 0", dpsgd(60000, 256, 0, 60, 1e-5), "noise multiplier 0 must be positive"},
		{"noise negative", dpsgd(60000, 256, -1, 60, 1e-5), "noise multiplier -1"},
		{"noise Inf", dpsgd(60000, 256, inf, 60, 1e-5), "noise multiplier +Inf"},
		{"n 0", dpsgd(0, 256, 1.1, 60, 1e-5), "n 0 (examples) must be at least 1"},
		{"batch 0", dpsgd(60000, 0, 1.1, 60, 1e-5), "batch 0 must be at least 1"},
		{"batch above n", dpsgd(100, 256, 1.1, 60, 1e-5), "batch 256 must be at most n 100"},
		{"epochs 0", dpsgd(60000, 256, 1.1, 0, 1e-5), "epochs 0 must be at least 1"},
		{"too many steps", dpsgd(60000, 1, 1.1, 1<<20, 1e-5), "exceed"},
		{"rate 0", rdp(0, 1, 2), "sampling rate 0 must be in (0, 1]"},
		{"rate above 1", rdp(1.5, 1, 2), "sampling rate 1.5"},
		{"rate NaN", rdp(nan, 1, 2), "sampling rate NaN"},
		{"order 1", rdp(0.1, 1, 1), "order 1 must be in (1, 10000]"},
		{"order NaN", rdp(0.1, 1, nan), "order NaN"},
		{"order too large", rdp(0.1, 1, 20000), "order 20000"},
		{"integrated noise 0", integ(0.1, 0, 2), "noise multiplier 0"},
		{"integrated order 0.5", integ(0.1, 1, 0.5), "order 0.5"},
		{"integrated grid too large", integ(0.1, 1e-5, 100), "points"},
		{"steps 0", step(1, 0.1, 0), "steps 0 must be at least 1"},
		{"step rate 2", step(1, 2, 10), "sampling rate 2"},
		{"lengths", eps([]float64{2, 3}, []float64{1}, 1e-5, Improved), "2 orders and 1 RDP values"},
		{"no orders", eps(nil, nil, 1e-5, Improved), "0 orders"},
		{"negative RDP", eps([]float64{2}, []float64{-1}, 1e-5, Improved), "RDP -1 at order 2"},
		{"order below 1", eps([]float64{0.5}, []float64{1}, 1e-5, Classic), "order 0.5"},
		{"conversion", eps([]float64{2}, []float64{1}, 1e-5, Conversion(7)), "unknown conversion 7"},
		{"eps delta 2", eps([]float64{2}, []float64{1}, 2, Classic), "delta 2 must be in (0, 1)"},
		{"no orders accountant", func() error { _, err := NewAccountantOrders(nil); return err }, "at least one order"},
		{"bad order accountant", func() error { _, err := NewAccountantOrders([]float64{2, 0.9}); return err }, "order 0.9"},
	} {
		err := c.call()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestStepErrorLeavesAccountant: a failed Step changes nothing.
func TestStepErrorLeavesAccountant(t *testing.T) {
	a := NewAccountant()
	if err := a.Step(1.1, 0.01, 100); err != nil {
		t.Fatal(err)
	}
	before := a.RDP()
	if err := a.Step(-1, 0.01, 100); err == nil {
		t.Fatal("no error for noise -1")
	}
	after := a.RDP()
	for k := range before {
		if before[k] != after[k] {
			t.Fatalf("order %g: RDP %g became %g", a.Orders()[k], before[k], after[k])
		}
	}
	if a.Steps() != 100 {
		t.Errorf("steps %d, want 100", a.Steps())
	}
}

// TestComposition: RDP adds over steps and over Step calls; no step gives 0.
func TestComposition(t *testing.T) {
	a, b := NewAccountant(), NewAccountant()
	if eps, _, err := a.Epsilon(1e-5); err != nil || eps != 0 {
		t.Errorf("fresh accountant: eps %g, %v; want 0", eps, err)
	}
	for _, s := range []int{100, 250, 650} {
		if err := a.Step(1.1, 0.01, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Step(1.1, 0.01, 1000); err != nil {
		t.Fatal(err)
	}
	ra, rb := a.RDP(), b.RDP()
	for k, o := range a.Orders() {
		one, err := RDP(0.01, 1.1, o)
		if err != nil {
			t.Fatal(err)
		}
		if relErr(ra[k], rb[k]) > 1e-12 || relErr(rb[k], 1000*one) > 1e-12 {
			t.Errorf("order %g: %g after 100+250+650 steps, %g after 1000, 1000 x %g", o, ra[k], rb[k], one)
		}
	}
	// Heterogeneous steps add too.
	c := NewAccountant()
	if err := c.Step(1.1, 0.01, 1000); err != nil {
		t.Fatal(err)
	}
	if err := c.Step(2, 0.05, 10); err != nil {
		t.Fatal(err)
	}
	for k, o := range c.Orders() {
		other, _ := RDP(0.05, 2, o)
		if want := rb[k] + 10*other; relErr(c.RDP()[k], want) > 1e-12 {
			t.Errorf("order %g: %g, want %g", o, c.RDP()[k], want)
		}
	}
}

// TestEpsilonProperties: epsilon falls with the noise and delta, grows with
// the epochs and the sampling rate, and the improved conversion is never
// above the classic one.
func TestEpsilonProperties(t *testing.T) {
	eps := func(n, batch int, noise float64, epochs int, delta float64) float64 {
		s, err := DPSGDEpsilon(n, batch, noise, epochs, delta)
		if err != nil {
			t.Fatal(err)
		}
		return s.Epsilon
	}
	series := []struct {
		name       string
		values     []float64
		increasing bool
	}{
		{"noise", mapf([]float64{0.5, 0.7, 0.9, 1.1, 1.5, 2, 4}, func(x float64) float64 { return eps(60000, 256, x, 60, 1e-5) }), false},
		{"epochs", mapf([]float64{1, 2, 5, 10, 30, 60, 200}, func(x float64) float64 { return eps(60000, 256, 1.1, int(x), 1e-5) }), true},
		{"batch (rate)", mapf([]float64{16, 64, 256, 1024, 4096}, func(x float64) float64 { return eps(60000, int(x), 1.1, 1, 1e-5) }), true},
		{"delta", mapf([]float64{1e-9, 1e-7, 1e-5, 1e-3, 0.1}, func(x float64) float64 { return eps(60000, 256, 1.1, 60, x) }), false},
	}
	for _, s := range series {
		for k := 1; k < len(s.values); k++ {
			if up := s.values[k] > s.values[k-1]; up != s.increasing {
				t.Errorf("%s: epsilon %v not %s", s.name, s.values, map[bool]string{true: "increasing", false: "decreasing"}[s.increasing])
				break
			}
		}
	}
	// Fixed steps: more steps at the same rate cost more.
	prev := 0.0
	for _, steps := range []int{10, 100, 1000, 10000} {
		a := NewAccountant()
		if err := a.Step(1.1, 0.004, steps); err != nil {
			t.Fatal(err)
		}
		imp, _, err := a.Epsilon(1e-5)
		if err != nil {
			t.Fatal(err)
		}
		cls, _, err := a.EpsilonConversion(1e-5, Classic)
		if err != nil {
			t.Fatal(err)
		}
		if !(imp > prev) || !(imp <= cls) {
			t.Errorf("%d steps: improved %g (previous %g), classic %g", steps, imp, prev, cls)
		}
		prev = imp
	}
}

func mapf(xs []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(xs))
	for k, x := range xs {
		out[k] = f(x)
	}
	return out
}

// TestDefaultOrders: 72 orders, increasing, the list stated in the docs; each
// call returns a fresh slice.
func TestDefaultOrders(t *testing.T) {
	o := DefaultOrders()
	if len(o) != 72 || o[0] != 1.25 || o[9] != 4.5 || o[10] != 5 || o[68] != 63 || o[69] != 128 || o[71] != 512 {
		t.Fatalf("default orders %v", o)
	}
	for k := 1; k < len(o); k++ {
		if !(o[k] > o[k-1]) {
			t.Fatalf("orders not increasing at %d: %v", k, o)
		}
	}
	o[0] = 99
	if DefaultOrders()[0] != 1.25 {
		t.Error("DefaultOrders shares its slice")
	}
}

// TestConversionEdges: the KL shortcut gives 0, orders near 1 are skipped by
// the improved conversion, and Inf RDP gives Inf epsilon.
func TestConversionEdges(t *testing.T) {
	for _, c := range []struct {
		name      string
		orders    []float64
		rdp       []float64
		delta     float64
		conv      Conversion
		wantEps   float64
		wantOrder float64
	}{
		{"KL bound", []float64{2, 8}, []float64{1e-12, 1e-11}, 0.01, Improved, 0, 2},
		{"near 1 skipped", []float64{1.005}, []float64{1}, 1e-5, Improved, math.Inf(1), 1.005},
		{"infinite RDP", []float64{2, 3}, []float64{math.Inf(1), math.Inf(1)}, 1e-5, Classic, math.Inf(1), 2},
		{"classic", []float64{2, 3}, []float64{1, 1.5}, math.Exp(-10), Classic, 6.5, 3},
		{"improved", []float64{2}, []float64{1}, math.Exp(-10), Improved, 1 + math.Log(0.5) + (10 - math.Log(2)), 2},
	} {
		eps, order, err := EpsilonFromRDP(c.orders, c.rdp, c.delta, c.conv)
		if err != nil || !(eps == c.wantEps || relErr(eps, c.wantEps) < 1e-14) || order != c.wantOrder {
			t.Errorf("%s: eps %g at order %g (%v), want %g at %g", c.name, eps, order, err, c.wantEps, c.wantOrder)
		}
	}
	if Improved.String() != "improved" || Classic.String() != "classic" || Conversion(5).String() != "Conversion(5)" {
		t.Error("Conversion.String")
	}
}
