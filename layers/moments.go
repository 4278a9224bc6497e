package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// featureMoments returns the mean and the population variance of every feature of
// x (Float32 or Float64, rank >= 1, features on the last axis, examples on the
// others), computed in float64 in two passes. A constant feature gets variance 1.
func featureMoments(x *tensor.Dense) (mean, variance []float64, err error) {
	if x == nil {
		return nil, nil, errors.New("no data")
	}
	s := x.Shape()
	if s.Dims() < 1 || s.TotalSize() == 0 {
		return nil, nil, errors.Errorf("data of shape %v is empty", s)
	}
	if x.RequiresIterator() {
		x = x.Materialize().(*tensor.Dense)
	}
	d := s[s.Dims()-1]
	var vals []float64
	switch v := x.Data().(type) {
	case []float64:
		vals = v[:s.TotalSize()]
	case []float32:
		vals = make([]float64, s.TotalSize())
		for i := range vals {
			vals[i] = float64(v[i])
		}
	default:
		return nil, nil, errors.Errorf("data of dtype %v (want float32 or float64)", x.Dtype())
	}
	for i, v := range vals {
		if !finite(v) {
			return nil, nil, errors.Errorf("example %d feature %d is %g", i/d, i%d, v)
		}
	}
	n := float64(len(vals) / d)
	mean, variance = make([]float64, d), make([]float64, d)
	for i, v := range vals {
		mean[i%d] += v
	}
	for j := range mean {
		mean[j] /= n
	}
	constant := make([]bool, d)
	for j := range constant {
		constant[j] = true
	}
	for i, v := range vals {
		dv := v - mean[i%d]
		variance[i%d] += dv * dv
		if v != vals[i%d] {
			constant[i%d] = false
		}
	}
	for j := range variance {
		variance[j] /= n
		if constant[j] || !(variance[j] > 0) {
			variance[j] = 1
		}
	}
	return mean, variance, nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
