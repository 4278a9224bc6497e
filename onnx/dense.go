package onnx

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// convDense is Dense: MatMul by the (in, units) kernel (any input rank: MatMul
// broadcasts over the leading axes), Add of the bias, then the activation.
func convDense(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.DenseLayer)
	if !ok {
		return nil, errors.Errorf("not a Dense layer (%T)", c.Layer())
	}
	w, err := c.Param(l.Kernel())
	if err != nil {
		return nil, err
	}
	y := c.Op("MatMul", []string{c.Inputs()[0], w})
	if l.Bias() != nil {
		b, err := c.Param(l.Bias())
		if err != nil {
			return nil, err
		}
		y = c.Op("Add", []string{y, b})
	}
	y, err = c.Activation(c.StringConfig("activation"), y)
	return []string{y}, err
}
