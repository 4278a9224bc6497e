package adversarial_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/gokeras/gokeras/adversarial"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// attackFunc runs one attack at eps (ignored by CW).
type attackFunc func(tr *trainers.Trainer, x, y *tensor.Dense, eps float64, opts ...adversarial.Option) (*adversarial.Result, error)

func cw(tr *trainers.Trainer, x, y *tensor.Dense, _ float64, opts ...adversarial.Option) (*adversarial.Result, error) {
	return adversarial.CW(tr, x, y, append([]adversarial.Option{adversarial.WithBinarySteps(3), adversarial.WithIterations(20)}, opts...)...)
}

// TestBounds checks that every attack keeps each row in the valid range and
// within its eps-ball, measured independently of the attack's own norms.
func TestBounds(t *testing.T) {
	d := trainedDigits(t)
	for _, tc := range []struct {
		name   string
		attack attackFunc
		eps    float64
		l2     bool // the bound is on the L2 norm (else L-inf)
		opts   []adversarial.Option
	}{
		{"fgsm", adversarial.FGSM, 0.1, false, nil},
		{"fgsm eps 0", adversarial.FGSM, 0, false, nil},
		{"fgsm huge eps", adversarial.FGSM, 3, false, nil},
		{"pgd", adversarial.PGD, 0.07, false, []adversarial.Option{adversarial.WithSteps(5)}},
		{"pgd big step", adversarial.PGD, 0.05, false, []adversarial.Option{adversarial.WithSteps(3), adversarial.WithStepSize(0.5)}},
		{"pgd targeted", adversarial.PGD, 0.1, false, []adversarial.Option{adversarial.WithSteps(5), adversarial.WithTarget(3)}},
		{"pgd-l2", adversarial.PGDL2, 0.8, true, []adversarial.Option{adversarial.WithSteps(5)}},
		{"pgd-l2 big step", adversarial.PGDL2, 0.5, true, []adversarial.Option{adversarial.WithSteps(3), adversarial.WithStepSize(5)}},
		{"cw", cw, 0, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.attack(d.tr, d.x, d.y, tc.eps, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !res.X.Shape().Eq(d.x.Shape()) {
				t.Fatalf("adversarial shape %v, want %v", res.X.Shape(), d.x.Shape())
			}
			for i, v := range res.X.Data().([]float64) {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("value %d is %g, outside [0, 1]", i, v)
				}
			}
			linf, l2, err := adversarial.Norms(d.x, res.X)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(linf, res.Linf) || !reflect.DeepEqual(l2, res.L2) {
				t.Error("the result's norms differ from Norms")
			}
			for i := range linf {
				switch {
				case tc.name == "cw":
				case tc.l2 && l2[i] > tc.eps:
					t.Errorf("row %d: L2 %.17g > eps %g", i, l2[i], tc.eps)
				case !tc.l2 && linf[i] > tc.eps+1e-12:
					t.Errorf("row %d: L-inf %.17g > eps %g", i, linf[i], tc.eps)
				}
			}
			if tc.eps == 0 && tc.name != "cw" && res.MeanL2() != 0 {
				t.Errorf("eps 0 moved the rows: mean L2 %g", res.MeanL2())
			}
			if tc.name == "fgsm" && math.Abs(res.MeanLinf()-tc.eps) > 0.02 {
				// sign steps of eps: only values clipped at 0 or 1 move less, not every one of a row
				t.Errorf("fgsm mean L-inf %g, want about eps %g", res.MeanLinf(), tc.eps)
			}
		})
	}
}

// TestDeterminism checks that the same seed gives identical examples and that
// another seed gives other random starts.
func TestDeterminism(t *testing.T) {
	d := trainedDigits(t)
	for _, tc := range []struct {
		name   string
		attack attackFunc
		eps    float64
	}{
		{"pgd", adversarial.PGD, 0.05},
		{"pgd-l2", adversarial.PGDL2, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(seed int64) []float64 {
				res, err := tc.attack(d.tr, d.x, d.y, tc.eps, adversarial.WithSteps(2), adversarial.WithSeed(seed))
				if err != nil {
					t.Fatal(err)
				}
				return res.X.Data().([]float64)
			}
			a, b, c := run(7), run(7), run(8)
			if !reflect.DeepEqual(a, b) {
				t.Error("seed 7 twice gave different examples")
			}
			if reflect.DeepEqual(a, c) {
				t.Error("seeds 7 and 8 gave the same examples: the random start ignores the seed")
			}
		})
	}
}
