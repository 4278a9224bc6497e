package datasets

import (
	"math"

	"github.com/pkg/errors"
)

// Moons returns n examples of two interleaving half circles, as
// scikit-learn's make_moons(n, shuffle=True, noise=noise): n/2 points (label
// 0) evenly spaced on the upper unit half circle centred at (0, 0) and
// n - n/2 (label 1) on the lower unit half circle centred at (1, 0.5); the
// examples are shuffled, then Gaussian noise of standard deviation noise is
// added to each feature. XShape is [2], YShape [1] with values 0 or 1; before
// noise x lies in [-1, 2] x [-0.5, 1]. Storage is float64, the seed feeds
// rand.New(rand.NewSource(seed)), so the points differ from
// scikit-learn's for the same seed. n <= 0 and a negative, NaN or infinite noise are errors.
func Moons(n int, noise float64, seed int64) (*Tensor, error) {
	if err := checkCount(n); err != nil {
		return nil, errors.Wrap(err, "datasets.Moons")
	}
	if err := checkNoise(noise); err != nil {
		return nil, errors.Wrap(err, "datasets.Moons")
	}
	nOut := n / 2
	nIn := n - nOut
	px := make([]float64, 0, 2*n)
	py := make([]float64, 0, n)
	for i := 0; i < nOut; i++ {
		t := linspace(0, math.Pi, nOut, i)
		px = append(px, math.Cos(t), math.Sin(t))
		py = append(py, 0)
	}
	for i := 0; i < nIn; i++ {
		t := linspace(0, math.Pi, nIn, i)
		px = append(px, 1-math.Cos(t), 1-math.Sin(t)-0.5)
		py = append(py, 1)
	}
	r := newRand(seed)
	perm := r.Perm(n)
	x := make([]float64, 2*n)
	y := make([]float64, n)
	for i, p := range perm {
		x[2*i], x[2*i+1] = px[2*p], px[2*p+1]
		y[i] = py[p]
	}
	if noise > 0 {
		for i := range x {
			x[i] += noise * r.NormFloat64()
		}
	}
	return newFloat64Tensor(n, x, []int{2}, y, []int{1}), nil
}

// linspace returns the i-th of m evenly spaced values from lo to hi
// inclusive (lo when m is 1), as numpy.linspace does.
func linspace(lo, hi float64, m, i int) float64 {
	if m <= 1 {
		return lo
	}
	return lo + (hi-lo)*float64(i)/float64(m-1)
}
