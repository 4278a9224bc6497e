package datasets

import "github.com/pkg/errors"

// Linear returns n examples of the seed program's regression data: for each
// example, x ~ U(0,1) and y = 3x + 2 + U(0,1) (drawn in that order from
// rand.New(rand.NewSource(seed))). XShape and YShape are [1], storage is
// float64. Its least-squares fit is close to y = 3x + 2.5. n <= 0 is an
// error.
func Linear(n int, seed int64) (*Tensor, error) {
	if err := checkCount(n); err != nil {
		return nil, errors.Wrap(err, "datasets.Linear")
	}
	r := newRand(seed)
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
		y[i] = 3*x[i] + 2 + r.Float64()
	}
	return newFloat64Tensor(n, x, []int{1}, y, []int{1}), nil
}
