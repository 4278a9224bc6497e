package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// SumAll sums every element of x into a scalar. It flattens x and reduces one axis,
// since Gorgonia's reductions over several axes at once have a wrong gradient.
func SumAll(x *G.Node) (*G.Node, error) {
	if x.IsScalar() {
		return x, nil
	}
	flat := x
	if x.Dims() != 1 {
		var err error
		if flat, err = G.Reshape(x, []int{x.Shape().TotalSize()}); err != nil {
			return nil, errors.Wrap(err, "sum all: flatten")
		}
	}
	s, err := G.Sum(flat, 0)
	return s, errors.Wrap(err, "sum all")
}

// MeanAll is the mean of every element of x, as a scalar.
func MeanAll(x *G.Node) (*G.Node, error) {
	s, err := SumAll(x)
	if err != nil {
		return nil, err
	}
	n := x.Shape().TotalSize()
	if n == 0 {
		return nil, errors.Errorf("mean of an empty tensor %v", x.Shape())
	}
	m, err := G.Mul(s, scalarOf(x.Dtype(), 1/float64(n)))
	return m, errors.Wrap(err, "mean all")
}

// RowMean sums x of shape (B, K) over its last axis and averages over the rows:
// sum(x)/B, the mean over a batch of per-example sums.
func RowMean(x *G.Node) (*G.Node, error) {
	if x.Dims() < 1 {
		return nil, errors.Errorf("row mean of a scalar")
	}
	s, err := SumAll(x)
	if err != nil {
		return nil, err
	}
	m, err := G.Mul(s, scalarOf(x.Dtype(), 1/float64(x.Shape()[0])))
	return m, errors.Wrap(err, "row mean")
}
