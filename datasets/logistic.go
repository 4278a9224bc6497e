package datasets

import "github.com/pkg/errors"

// Logistic returns n examples of a nearly linearly separable binary
// classification problem: x has 2 features drawn from N(0,1) and the label
// y (shape [1], values 0 or 1) is 1 when 2*x0 - 3*x1 + 0.5 + 0.3*e > 0 with
// e ~ N(0,1). The noise e caps the accuracy of the best linear classifier at
// about 97-99%. Storage is float64, the seed feeds
// rand.New(rand.NewSource(seed)); n <= 0 is an error.
func Logistic(n int, seed int64) (*Tensor, error) {
	if err := checkCount(n); err != nil {
		return nil, errors.Wrap(err, "datasets.Logistic")
	}
	r := newRand(seed)
	x := make([]float64, 2*n)
	y := make([]float64, n)
	for i := range y {
		x0, x1 := r.NormFloat64(), r.NormFloat64()
		e := r.NormFloat64()
		x[2*i], x[2*i+1] = x0, x1
		y[i] = label(2*x0-3*x1+0.5+0.3*e > 0)
	}
	return newFloat64Tensor(n, x, []int{2}, y, []int{1}), nil
}
