package onnx

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// convBatchNorm is BatchNormalization at inference, over the last axis: y =
// x·scale + shift with scale = gamma/sqrt(moving_variance + epsilon) and shift =
// beta - moving_mean·scale folded in float64 (works for any input rank, NHWC
// included, with no Transpose).
func convBatchNorm(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.BatchNormLayer)
	if !ok {
		return nil, errors.Errorf("not a BatchNormalization layer (%T)", c.Layer())
	}
	names := []string{"gamma", "beta", "moving_mean", "moving_variance"}
	vals := make([][]float64, 4)
	for i, p := range []*graph.Param{l.Gamma(), l.Beta(), l.MovingMean(), l.MovingVariance()} {
		if p == nil {
			return nil, errors.Errorf("weight %s is missing (layer not built?)", names[i])
		}
		vals[i] = p.Float64s()
	}
	eps := l.Spec().Epsilon
	n := len(vals[0])
	scale, shift := make([]float64, n), make([]float64, n)
	for j := 0; j < n; j++ {
		scale[j] = vals[0][j] / math.Sqrt(vals[3][j]+eps)
		shift[j] = vals[1][j] - vals[2][j]*scale[j]
	}
	s, err := c.Const("scale", []int{n}, scale)
	if err != nil {
		return nil, err
	}
	b, err := c.Const("shift", []int{n}, shift)
	if err != nil {
		return nil, err
	}
	return []string{c.Op("Add", []string{c.Op("Mul", []string{c.Inputs()[0], s}), b})}, nil
}

// convNormalization is Normalization: (x - mean)·(1/sqrt(variance)) over the last
// axis, or with invert x·sqrt(variance) + mean.
func convNormalization(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.NormalizationLayer)
	if !ok {
		return nil, errors.Errorf("not a Normalization layer (%T)", c.Layer())
	}
	mean, variance := l.Mean(), l.Variance()
	if len(mean) == 0 || len(mean) != len(variance) {
		return nil, errors.Errorf("statistics missing or of different lengths (%d means, %d variances)", len(mean), len(variance))
	}
	sd := make([]float64, len(variance))
	for i, v := range variance {
		if !(v > 0) {
			return nil, errors.Errorf("feature %d has variance %g (must be > 0)", i, v)
		}
		sd[i] = math.Sqrt(v)
		if !l.Invert() {
			sd[i] = 1 / sd[i]
		}
	}
	n := len(mean)
	m, err := c.Const("mean", []int{n}, mean)
	if err != nil {
		return nil, err
	}
	s, err := c.Const("scale", []int{n}, sd)
	if err != nil {
		return nil, err
	}
	x := c.Inputs()[0]
	if l.Invert() {
		return []string{c.Op("Add", []string{c.Op("Mul", []string{x, s}), m})}, nil
	}
	return []string{c.Op("Mul", []string{c.Op("Sub", []string{x, m}), s})}, nil
}
