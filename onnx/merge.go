package onnx

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// convMerge is Add, Subtract, Multiply, Average, Maximum and Minimum of inputs of
// equal shapes, folded left to right as gokeras does.
func convMerge(c *Context) ([]string, error) {
	xs := c.Inputs()
	if len(xs) == 0 {
		return nil, errors.New("no inputs")
	}
	op := map[string]string{"Add": "Add", "Subtract": "Sub", "Multiply": "Mul", "Average": "Add", "Maximum": "Max", "Minimum": "Min"}[c.Layer().Type()]
	if op == "" {
		return nil, errors.Errorf("unknown merge %q", c.Layer().Type())
	}
	if c.Layer().Type() == "Subtract" && len(xs) != 2 {
		return nil, errors.Errorf("Subtract takes 2 inputs, got %d", len(xs))
	}
	y := xs[0]
	for _, x := range xs[1:] {
		y = c.Op(op, []string{y, x})
	}
	if c.Layer().Type() == "Average" && len(xs) > 1 {
		y = c.Op("Mul", []string{y, c.Scalar("inv_n", 1/float64(len(xs)))})
	} else if len(xs) == 1 {
		y = c.Op("Identity", []string{y})
	}
	return []string{y}, nil
}

// convConcatenate is Concatenate along Keras' axis (batch axis 0; negative from
// the end), the same numbering as ONNX's Concat.
func convConcatenate(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.MergeLayer)
	if !ok {
		return nil, errors.Errorf("not a merge layer (%T)", c.Layer())
	}
	return []string{c.Op("Concat", c.Inputs(), AttrInt("axis", l.Axis()))}, nil
}

// convDot is Dot: with normalize each input divided by max(L2 norm, 1e-12) along
// its contracted axis; rank-2 inputs (batch, d) give (batch, 1), rank-3 inputs a
// batched MatMul with the contracted axes moved into place.
func convDot(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.MergeLayer)
	if !ok {
		return nil, errors.Errorf("not a merge layer (%T)", c.Layer())
	}
	specs := c.InputSpecs()
	if len(specs) != 2 || len(specs[0].Shape) != len(specs[1].Shape) || len(specs[0].Shape) < 1 || len(specs[0].Shape) > 2 {
		return nil, errors.Errorf("Dot takes two inputs of rank 2 or 3 with the batch, got %v", specs)
	}
	rank := len(specs[0].Shape) + 1
	axes := l.Axes()
	var ax [2]int
	for i, a := range axes {
		if a < 0 {
			a += rank
		}
		if a <= 0 || a >= rank {
			return nil, errors.Errorf("axis %d is out of range for rank %d", axes[i], rank)
		}
		ax[i] = a
	}
	a, b := c.Inputs()[0], c.Inputs()[1]
	if l.Normalize() {
		a, b = l2Normalize(c, a, ax[0]), l2Normalize(c, b, ax[1])
	}
	if rank == 2 {
		return []string{c.Op("ReduceSum", []string{c.Op("Mul", []string{a, b}), c.Ints("axes", 1)}, AttrInt("keepdims", 1))}, nil
	}
	if ax[0] == 1 { // a: (batch, d, n) -> (batch, n, d)
		a = transpose(c, a, swap12)
	}
	if ax[1] == 2 { // b: (batch, m, d) -> (batch, d, m)
		b = transpose(c, b, swap12)
	}
	return []string{c.Op("MatMul", []string{a, b})}, nil
}

// l2Normalize divides x by max(||x||, 1e-12) along axis (gokeras' L2Normalize).
func l2Normalize(c *Context, x string, axis int) string {
	n := c.Op("ReduceL2", []string{x}, AttrInts("axes", axis), AttrInt("keepdims", 1))
	n = c.Op("Max", []string{n, c.Scalar("eps", 1e-12)})
	return c.Op("Div", []string{x, n})
}
