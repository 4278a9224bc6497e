package adversarial_test

import (
	"testing"

	"github.com/gokeras/gokeras/adversarial"
	"gorgonia.org/tensor"
)

// TestCWLinear checks CW against the closed form on a binary logistic model
// (one sigmoid unit, logit z = x0 + x1 - 1): the smallest L2 perturbation that
// crosses z = 0 from x is |z(x)|/||w||. CW must cross (success) and stay within
// 5% above that distance; targeted at the class already predicted it must not
// move the row.
func TestCWLinear(t *testing.T) {
	tr := logistic(t, []float64{1, 1, 0}, -1)
	for _, tc := range []struct {
		name    string
		x       []float64
		label   float64
		opts    []adversarial.Option
		dist    float64 // the smallest crossing distance
		predict int
	}{
		{"class 0 to 1", []float64{0.2, 0.3, 0.5}, 0, nil, 0.5 / 1.4142135623730951, 1},
		{"class 1 to 0", []float64{0.9, 0.6, 0.5}, 1, nil, 0.5 / 1.4142135623730951, 0},
		{"targeted", []float64{0.2, 0.3, 0.5}, 0, []adversarial.Option{adversarial.WithTarget(1)}, 0.5 / 1.4142135623730951, 1},
		{"kappa", []float64{0.2, 0.3, 0.5}, 0, []adversarial.Option{adversarial.WithKappa(0.5)}, 1 / 1.4142135623730951, 1},
		{"targeted at its own class", []float64{0.2, 0.3, 0.5}, 0, []adversarial.Option{adversarial.WithTarget(0)}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking(append([]float64(nil), tc.x...)))
			y := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{tc.label}))
			res, err := adversarial.CW(tr, x, y, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Success[0] || res.Predicted[0] != tc.predict {
				t.Fatalf("success %v, predicted %d; want success, class %d", res.Success[0], res.Predicted[0], tc.predict)
			}
			if d := res.L2[0]; d < tc.dist-1e-9 || d > tc.dist*1.05+1e-5 {
				t.Errorf("L2 %.6f, want within 5%% above the smallest %.6f", d, tc.dist)
			}
		})
	}
}
