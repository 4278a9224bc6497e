package onnx

// convFlatten is Flatten: (batch, d1, d2, ...) -> (batch, d1·d2·...), row-major
// over the example axes (channels last), as gokeras flattens.
func convFlatten(c *Context) ([]string, error) {
	return []string{c.Op("Flatten", c.Inputs(), AttrInt("axis", 1))}, nil
}

// convReshape is Reshape to the output shape gokeras inferred (a -1 in the target
// resolved), the batch axis copied (0).
func convReshape(c *Context) ([]string, error) {
	out := c.OutputSpecs()[0].Shape
	shape := append([]int{0}, out...)
	return []string{c.Op("Reshape", []string{c.Inputs()[0], c.Ints("shape", shape...)})}, nil
}
