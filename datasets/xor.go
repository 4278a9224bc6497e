package datasets

import "github.com/pkg/errors"

// XOR returns n examples of the XOR problem: x ~ U(-1,1)^2 (XShape [2]) and
// y = 1 if x0*x1 > 0 else 0 (YShape [1]), the label being computed before
// Gaussian noise of standard deviation noise is added to each feature.
// Storage is float64, the seed feeds rand.New(rand.NewSource(seed)).
// n <= 0 and a negative, NaN or infinite noise are errors.
func XOR(n int, noise float64, seed int64) (*Tensor, error) {
	if err := checkCount(n); err != nil {
		return nil, errors.Wrap(err, "datasets.XOR")
	}
	if err := checkNoise(noise); err != nil {
		return nil, errors.Wrap(err, "datasets.XOR")
	}
	r := newRand(seed)
	x := make([]float64, 2*n)
	y := make([]float64, n)
	for i := range y {
		x0, x1 := 2*r.Float64()-1, 2*r.Float64()-1
		y[i] = label(x0*x1 > 0)
		x[2*i] = x0 + noise*r.NormFloat64()
		x[2*i+1] = x1 + noise*r.NormFloat64()
	}
	return newFloat64Tensor(n, x, []int{2}, y, []int{1}), nil
}
