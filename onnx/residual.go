package onnx

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// convResidual is the Residual block: activation(branch(x) + shortcut(x)), each
// sub-layer converted in turn (an empty shortcut is x itself).
func convResidual(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.ResidualLayer)
	if !ok {
		return nil, errors.Errorf("not a Residual layer (%T)", c.Layer())
	}
	x := c.Inputs()[0]
	stack := func(what string, ls []layers.Layer) (string, error) {
		y := x
		for i, s := range ls {
			ys, err := c.Convert(s, []string{y})
			if err != nil {
				return "", errors.Wrapf(err, "%s layer %d", what, i)
			}
			if len(ys) != 1 {
				return "", errors.Errorf("%s layer %d (%s) gives %d outputs", what, i, s.Name(), len(ys))
			}
			y = ys[0]
		}
		return y, nil
	}
	b, err := stack("branch", l.Branch())
	if err != nil {
		return nil, err
	}
	s, err := stack("shortcut", l.Shortcut())
	if err != nil {
		return nil, err
	}
	y, err := c.Activation(c.StringConfig("activation"), c.Op("Add", []string{b, s}))
	return []string{y}, err
}
