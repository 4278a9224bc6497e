package trainers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predict returns the model's outputs for x, shape (N, input...) with any N >= 1,
// in inference mode (dropout off): a tensor of shape (N, output...) in the model's
// dtype. It takes BatchSize (default 32) and Verbose (ignored). x must be float32
// or float64 and finite.
func (t *Trainer) Predict(x *tensor.Dense, opts ...FitOption) (*tensor.Dense, error) {
	c, err := newFitConfig("predict", []string{"batch", "verbose"}, opts)
	if err != nil {
		return nil, err
	}
	if x == nil || x.Dims() < 1 || x.Shape()[0] == 0 {
		return nil, errors.New("predict: no rows")
	}
	in := t.model.InputShape()
	if got := []int(x.Shape()[1:]); !sameInts(got, in) {
		return nil, errors.Errorf("predict: %s expects examples of shape %s, x has %s", t.inputLayerName(), fmtShape(in), fmtShape(got))
	}
	if err := checkFinite(x); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	n, per := x.Shape()[0], prod(in)
	outShape := append([]int{n}, t.model.OutputShape()...)
	out := tensor.New(tensor.Of(t.model.DType()), tensor.WithShape(outShape...))
	outPer := prod(t.model.OutputShape())
	for start := 0; start < n; start += c.batch {
		b := min(c.batch, n-start)
		p, err := t.program(predictProgram, b)
		if err != nil {
			return nil, errors.Wrapf(err, "predict: compile the program for batch %d", b)
		}
		copyFloats(p.x, 0, x, start*per, b*per)
		if err := p.run(nil); err != nil {
			return nil, errors.Wrap(err, "predict")
		}
		copyFloats(out, start*outPer, p.output(), 0, b*outPer)
	}
	return out, nil
}

// copyFloats copies n values from src at sOff to dst at dOff, converting between
// float32 and float64.
func copyFloats(dst *tensor.Dense, dOff int, src *tensor.Dense, sOff, n int) {
	switch d := dst.Data().(type) {
	case []float32:
		switch s := src.Data().(type) {
		case []float32:
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		case []float64:
			for i := 0; i < n; i++ {
				d[dOff+i] = float32(s[sOff+i])
			}
		}
	case []float64:
		switch s := src.Data().(type) {
		case []float32:
			for i := 0; i < n; i++ {
				d[dOff+i] = float64(s[sOff+i])
			}
		case []float64:
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		}
	}
}

// checkFinite returns an error naming the first NaN or Inf in x (float32 or
// float64), or an unsupported dtype.
func checkFinite(x *tensor.Dense) error {
	per := 1
	if x.Dims() > 1 {
		per = x.Shape().TotalSize() / x.Shape()[0]
	}
	bad := func(i int, v float64) error {
		return errors.Errorf("x has %v in row %d at position %d", v, i/per, i%per)
	}
	switch d := x.Data().(type) {
	case []float32:
		for i, v := range d {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return bad(i, f)
			}
		}
	case []float64:
		for i, v := range d {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad(i, v)
			}
		}
	default:
		return errors.Errorf("x is %v, want float32 or float64", x.Dtype())
	}
	return nil
}
