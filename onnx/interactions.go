package onnx

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// convCrossNet is DCN-v2's cross network: x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l,
// W_l = U_l·V_lᵀ with a low rank (V written transposed once).
func convCrossNet(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.CrossNetLayer)
	if !ok {
		return nil, errors.Errorf("not a CrossNet layer (%T)", c.Layer())
	}
	x0 := c.Inputs()[0]
	x := x0
	for i := 0; i < l.CrossLayers(); i++ {
		ks := l.Kernels(i)
		var z string
		switch len(ks) {
		case 1:
			w, err := c.Param(ks[0])
			if err != nil {
				return nil, err
			}
			z = c.Op("MatMul", []string{x, w})
		case 2:
			u, err := c.Param(ks[0])
			if err != nil {
				return nil, err
			}
			vt, err := c.ParamFunc(ks[1], "t", transpose2D)
			if err != nil {
				return nil, err
			}
			z = c.Op("MatMul", []string{c.Op("MatMul", []string{x, u}), vt})
		default:
			return nil, errors.Errorf("cross layer %d has %d kernels (not built?)", i, len(ks))
		}
		if b := l.Bias(i); b != nil {
			bn, err := c.Param(b)
			if err != nil {
				return nil, err
			}
			z = c.Op("Add", []string{z, bn})
		}
		x = c.Op("Add", []string{c.Op("Mul", []string{x0, z}), x})
	}
	return []string{x}, nil
}

// transpose2D transposes a matrix.
func transpose2D(shape []int, data []float64) ([]int, []float64, error) {
	if len(shape) != 2 {
		return nil, nil, errors.Errorf("shape %v is not a matrix", shape)
	}
	r, k := shape[0], shape[1]
	out := make([]float64, len(data))
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			out[j*r+i] = data[i*k+j]
		}
	}
	return []int{k, r}, out, nil
}

// fieldStack returns the call's field vectors as one (batch, fields, k) value:
// the input itself, or several (batch, k) inputs stacked on axis 1.
func fieldStack(c *Context) (string, int, error) {
	specs := c.InputSpecs()
	if len(specs) == 1 {
		if len(specs[0].Shape) != 2 {
			return "", 0, errors.Errorf("input shape %v is not (fields, k)", specs[0].Shape)
		}
		return c.Inputs()[0], specs[0].Shape[0], nil
	}
	parts := make([]string, len(specs))
	for i, x := range c.Inputs() {
		if len(specs[i].Shape) != 1 {
			return "", 0, errors.Errorf("input %d shape %v is not (k)", i, specs[i].Shape)
		}
		parts[i] = c.Op("Unsqueeze", []string{x, c.Ints("axes", 1)})
	}
	return c.Op("Concat", parts, AttrInt("axis", 1)), len(specs), nil
}

// convDotInteraction is DLRM's DotInteraction: X·Xᵀ (batch, F, F) flattened, the
// upper-triangle pairs (i < j, or i <= j with self-interactions) gathered in
// row-major order.
func convDotInteraction(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.DotInteractionLayer)
	if !ok {
		return nil, errors.Errorf("not a DotInteraction layer (%T)", c.Layer())
	}
	x, f, err := fieldStack(c)
	if err != nil {
		return nil, err
	}
	z := c.Op("MatMul", []string{x, transpose(c, x, swap12)})
	flat := c.Op("Reshape", []string{z, c.Ints("shape", 0, f*f)})
	var idx []int
	for i := 0; i < f; i++ {
		for j := i; j < f; j++ {
			if j > i || l.SelfInteraction() {
				idx = append(idx, i*f+j)
			}
		}
	}
	return []string{c.Op("Gather", []string{flat, c.Ints("pairs", idx...)}, AttrInt("axis", 1))}, nil
}

// convFM is the factorization machine's interaction: 0.5·((Σ_f x)² - Σ_f x²),
// summed over k to (batch, 1) unless keep_dims.
func convFM(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.FMLayer)
	if !ok {
		return nil, errors.Errorf("not an FM layer (%T)", c.Layer())
	}
	x := c.Inputs()[0]
	fields := c.Ints("fields_axis", 1)
	s := c.Op("ReduceSum", []string{x, fields}, AttrInt("keepdims", 0))
	ss := c.Op("ReduceSum", []string{c.Op("Mul", []string{x, x}), fields}, AttrInt("keepdims", 0))
	d := c.Op("Mul", []string{c.Op("Sub", []string{c.Op("Mul", []string{s, s}), ss}), c.Scalar("half", 0.5)})
	if l.KeepDims() {
		return []string{d}, nil
	}
	return []string{c.Op("ReduceSum", []string{d, c.Ints("k_axis", 1)}, AttrInt("keepdims", 1))}, nil
}
