package zoo

import (
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// columns gathers every example of ds, which must have one feature and one
// target, into two float64 slices.
func columns(ds datasets.Dataset) (x, y []float64, err error) {
	if ds == nil || ds.Len() < 1 {
		return nil, nil, errors.New("no data")
	}
	if xs, ys := ds.XShape(), ds.YShape(); size(xs) != 1 || size(ys) != 1 {
		return nil, nil, errors.Errorf("need one feature and one target per example, got shapes %v and %v", xs, ys)
	}
	n := ds.Len()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	xt := tensor.New(tensor.WithShape(n, 1), tensor.Of(tensor.Float64))
	yt := tensor.New(tensor.WithShape(n, 1), tensor.Of(tensor.Float64))
	if err := ds.Gather(idx, xt, yt); err != nil {
		return nil, nil, errors.Wrap(err, "gather the data")
	}
	return xt.Float64s(), yt.Float64s(), nil
}

// size is the product of a shape's dimensions.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// leastSquares returns the ordinary least-squares fit y ≈ w·x + b:
// w = cov(x, y) / var(x), b = mean(y) - w·mean(x). It is an error when x and y
// differ in length, are empty, or x is constant.
func leastSquares(x, y []float64) (w, b float64, err error) {
	if len(x) != len(y) || len(x) == 0 {
		return 0, 0, errors.Errorf("least squares: %d x and %d y values", len(x), len(y))
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	n := float64(len(x))
	mx /= n
	my /= n
	var sxy, sxx float64
	for i := range x {
		dx := x[i] - mx
		sxy += dx * (y[i] - my)
		sxx += dx * dx
	}
	if sxx == 0 || math.IsNaN(sxx) {
		return 0, 0, errors.New("least squares: x is constant")
	}
	w = sxy / sxx
	return w, my - w*mx, nil
}
