package adversarial_test

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/adversarial"
	"gorgonia.org/tensor"
)

// TestFGSMLogistic checks FGSM on logistic regression against its closed form:
// the loss gradient is (sigmoid(w·x+b) - y)*w, so x' = clip(x + eps*sign(w)) for
// label 0 and clip(x - eps*sign(w)) for label 1, and a targeted attack moves the
// other way.
func TestFGSMLogistic(t *testing.T) {
	w := []float64{2, -0.5, 0}
	tr := logistic(t, w, 0.1)
	const eps = 0.125
	for _, tc := range []struct {
		name  string
		x     []float64
		label float64
		opts  []adversarial.Option
		want  []float64
	}{
		{"label 0", []float64{0.5, 0.5, 0.5}, 0, nil, []float64{0.625, 0.375, 0.5}},
		{"label 1", []float64{0.5, 0.5, 0.5}, 1, nil, []float64{0.375, 0.625, 0.5}},
		{"clipped at the range", []float64{0.95, 0.05, 0.3}, 0, nil, []float64{1, 0, 0.3}},
		{"targeted at its label", []float64{0.5, 0.5, 0.5}, 0, []adversarial.Option{adversarial.WithTarget(0)}, []float64{0.375, 0.625, 0.5}},
		{"wider range", []float64{-2, 3, 0}, 1, []adversarial.Option{adversarial.WithRange(-5, 5)}, []float64{-2.125, 3.125, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking(append([]float64(nil), tc.x...)))
			y := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{tc.label}))
			res, err := adversarial.FGSM(tr, x, y, eps, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := res.X.Data().([]float64)
			for j := range got {
				if math.Abs(got[j]-tc.want[j]) > 1e-15 {
					t.Fatalf("x' = %v, want %v", got, tc.want)
				}
			}
		})
	}
}
