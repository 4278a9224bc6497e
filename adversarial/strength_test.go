package adversarial_test

import (
	"math"
	"sort"
	"testing"

	"github.com/gokeras/gokeras/adversarial"
)

// TestAttacksLowerAccuracy checks that each attack lowers the accuracy of the
// trained digits model, and that PGD (20 steps) is at least as strong as FGSM at
// the same eps.
func TestAttacksLowerAccuracy(t *testing.T) {
	d := trainedDigits(t)
	const eps = 0.1
	fgsm, err := adversarial.FGSM(d.tr, d.x, d.y, eps)
	if err != nil {
		t.Fatal(err)
	}
	pgd, err := adversarial.PGD(d.tr, d.x, d.y, eps)
	if err != nil {
		t.Fatal(err)
	}
	pgdL2, err := adversarial.PGDL2(d.tr, d.x, d.y, 1)
	if err != nil {
		t.Fatal(err)
	}
	clean := fgsm.CleanAccuracy()
	if clean < 0.85 {
		t.Fatalf("clean accuracy %.3f: the model did not train", clean)
	}
	t.Logf("clean %.3f, fgsm %.3f, pgd %.3f, pgd-l2 %.3f", clean, fgsm.RobustAccuracy(), pgd.RobustAccuracy(), pgdL2.RobustAccuracy())
	for _, r := range []*adversarial.Result{fgsm, pgd, pgdL2} {
		if r.CleanAccuracy() != clean {
			t.Errorf("%s: clean accuracy %g, want %g", r.Attack, r.CleanAccuracy(), clean)
		}
		if r.RobustAccuracy() > clean-0.2 {
			t.Errorf("%s: robust accuracy %.3f, want at least 0.2 below the clean %.3f", r.Attack, r.RobustAccuracy(), clean)
		}
		if math.Abs(r.SuccessRate()+r.RobustAccuracy()-1) > 1e-12 {
			t.Errorf("%s: untargeted success rate %g + robust accuracy %g != 1", r.Attack, r.SuccessRate(), r.RobustAccuracy())
		}
	}
	if pgd.RobustAccuracy() > fgsm.RobustAccuracy() {
		t.Errorf("pgd robust accuracy %.3f above fgsm's %.3f", pgd.RobustAccuracy(), fgsm.RobustAccuracy())
	}
}

// TestTargeted checks that a targeted PGD mostly reaches its target class.
func TestTargeted(t *testing.T) {
	d := trainedDigits(t)
	res, err := adversarial.PGD(d.tr, d.x, d.y, 0.2, adversarial.WithTarget(3))
	if err != nil {
		t.Fatal(err)
	}
	hit := 0
	for i, p := range res.Predicted {
		if p == 3 {
			hit++
		}
		if res.Success[i] != (p == 3) {
			t.Fatalf("row %d: success %v with prediction %d, target 3", i, res.Success[i], p)
		}
	}
	if hit < len(res.Predicted)*8/10 {
		t.Errorf("%d of %d rows reach class 3", hit, len(res.Predicted))
	}
}

// TestCWSmallerThanPGDL2 checks that CW (default options) finds, per row, L2
// perturbations no larger than the smallest eps on a grid at which PGD-L2 (20
// steps) succeeds: on 80% of the rows at least, and smaller on average.
func TestCWSmallerThanPGDL2(t *testing.T) {
	d := trainedDigits(t)
	cw, err := adversarial.CW(d.tr, d.x, d.y)
	if err != nil {
		t.Fatal(err)
	}
	if cw.SuccessRate() < 0.9 {
		t.Fatalf("cw success rate %.3f: want at least 0.9", cw.SuccessRate())
	}
	grid := []float64{0.125, 0.25, 0.375, 0.5, 0.75, 1, 1.5, 2, 3}
	threshold := make([]float64, len(cw.Labels))
	for i := range threshold {
		threshold[i] = math.Inf(1)
	}
	for _, eps := range grid {
		r, err := adversarial.PGDL2(d.tr, d.x, d.y, eps)
		if err != nil {
			t.Fatal(err)
		}
		for i, ok := range r.Success {
			if ok && math.IsInf(threshold[i], 1) {
				threshold[i] = eps
			}
		}
	}
	var cwL2, pgdL2 []float64
	smaller := 0
	for i, ok := range cw.Success {
		if !ok || math.IsInf(threshold[i], 1) || cw.CleanPredicted[i] != cw.Labels[i] {
			continue
		}
		cwL2, pgdL2 = append(cwL2, cw.L2[i]), append(pgdL2, threshold[i])
		if cw.L2[i] <= threshold[i] {
			smaller++
		}
	}
	if len(cwL2) < len(cw.Labels)/2 {
		t.Fatalf("only %d rows to compare", len(cwL2))
	}
	t.Logf("%d rows: CW L2 mean %.3f median %.3f, PGD-L2 threshold mean %.3f median %.3f, CW no larger on %d",
		len(cwL2), mean(cwL2), median(cwL2), mean(pgdL2), median(pgdL2), smaller)
	if mean(cwL2) >= mean(pgdL2) || smaller < len(cwL2)*8/10 {
		t.Errorf("CW L2 mean %.3f (no larger on %d of %d rows), PGD-L2 threshold mean %.3f", mean(cwL2), smaller, len(cwL2), mean(pgdL2))
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
