package adversarial

import (
	"github.com/gokeras/gokeras/internal/tensorvals"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Result is what an attack returns: the adversarial examples and, per row, the
// classes, whether the attack succeeded and the size of the perturbation.
type Result struct {
	// Attack names the attack: "fgsm", "pgd", "pgd-l2" or "cw".
	Attack string
	// X holds the adversarial examples: float64, the input's shape (N, input...).
	X *tensor.Dense
	// Labels are the true classes (N), read from y.
	Labels []int
	// Targets are the target classes (N) of a targeted attack (WithTarget); nil
	// when untargeted.
	Targets []int
	// CleanPredicted and Predicted are the classes (N) the model predicts for the
	// clean and the adversarial rows.
	CleanPredicted, Predicted []int
	// Success (N) says, per row, whether the model predicts the target for the
	// adversarial row (targeted), or anything but the label (untargeted: a row
	// misclassified before the attack counts as a success when it stays so).
	Success []bool
	// Linf and L2 (N) are the norms of each row's perturbation X - x.
	Linf, L2 []float64
}

// N is the number of rows.
func (r *Result) N() int { return len(r.Labels) }

// CleanAccuracy is the fraction of clean rows predicted as their label.
func (r *Result) CleanAccuracy() float64 { return accuracy(r.CleanPredicted, r.Labels) }

// RobustAccuracy is the fraction of adversarial rows still predicted as their
// label.
func (r *Result) RobustAccuracy() float64 { return accuracy(r.Predicted, r.Labels) }

// SuccessRate is the fraction of rows where the attack succeeded.
func (r *Result) SuccessRate() float64 {
	if len(r.Success) == 0 {
		return 0
	}
	k := 0
	for _, s := range r.Success {
		if s {
			k++
		}
	}
	return float64(k) / float64(len(r.Success))
}

// MeanLinf is the mean over all rows of the L-inf norm of the perturbation.
func (r *Result) MeanLinf() float64 { return mean(r.Linf) }

// MeanL2 is the mean over all rows of the L2 norm of the perturbation (a row CW
// left unchanged counts as 0).
func (r *Result) MeanL2() float64 { return mean(r.L2) }

// Norms returns the L-inf and L2 norms of each row's perturbation adv - x, for
// x and adv of the same shape (N, input...), float32 or float64.
func Norms(x, adv *tensor.Dense) (linf, l2 []float64, err error) {
	if x == nil || adv == nil || !x.Shape().Eq(adv.Shape()) || x.Dims() < 2 {
		var xs, as tensor.Shape
		if x != nil {
			xs = x.Shape()
		}
		if adv != nil {
			as = adv.Shape()
		}
		return nil, nil, errors.Errorf("adversarial: norms of x of shape %v and adv of shape %v: want the same shape (N, input...)", xs, as)
	}
	xv, av := tensorvals.Floats(x), tensorvals.Floats(adv)
	if xv == nil || av == nil {
		return nil, nil, errors.Errorf("adversarial: norms of dtypes %v and %v: want float32 or float64", x.Dtype(), adv.Dtype())
	}
	n := x.Shape()[0]
	per := len(xv) / n
	linf, l2 = make([]float64, n), make([]float64, n)
	for i := range linf {
		linf[i], l2[i] = distances(xv[i*per:(i+1)*per], av[i*per:(i+1)*per])
	}
	return linf, l2, nil
}

func accuracy(pred, labels []int) float64 {
	if len(labels) == 0 {
		return 0
	}
	k := 0
	for i, p := range pred {
		if p == labels[i] {
			k++
		}
	}
	return float64(k) / float64(len(labels))
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
