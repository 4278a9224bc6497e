package onnx

import (
	"strconv"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// convCategoryEncoding is CategoryEncoding: OneHot of the ids (cast to int64) in
// the model's float type; "one_hot" reshaped to (batch, num_tokens), "multi_hot"
// the maximum and "count" the sum over the ids of an example. Unlike gokeras, which
// fails the run, an id outside [0, num_tokens) encodes as a row of zeros (a
// negative one counts from the end, ONNX's OneHot rule).
func convCategoryEncoding(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.CategoryEncodingLayer)
	if !ok {
		return nil, errors.Errorf("not a CategoryEncoding layer (%T)", c.Layer())
	}
	n := l.NumTokens()
	ids, err := c.Cast(c.Inputs()[0], tensor.Int64)
	if err != nil {
		return nil, err
	}
	values, err := c.Const("off_on", []int{2}, []float64{0, 1})
	if err != nil {
		return nil, err
	}
	oh := c.Op("OneHot", []string{ids, c.Ints("depth", n), values}, AttrInt("axis", -1))
	in := c.InputSpecs()[0].Shape
	switch l.OutputMode() {
	case "one_hot":
		return []string{c.Op("Reshape", []string{oh, c.Ints("shape", 0, n)})}, nil
	case "multi_hot", "count":
		if len(in) != 1 {
			return nil, errors.Errorf("input shape %v is not (k)", in)
		}
		if l.OutputMode() == "count" {
			return []string{c.Op("ReduceSum", []string{oh, c.Ints("axes", 1)}, AttrInt("keepdims", 0))}, nil
		}
		return []string{c.Op("ReduceMax", []string{oh}, AttrInts("axes", 1), AttrInt("keepdims", 0))}, nil
	}
	return nil, errors.Errorf("output mode %q has no ONNX form", l.OutputMode())
}

// convDiscretization is Discretization: the bucket of x is the number of
// boundaries <= x (int64), compared in float32 for a Float32 input (boundaries
// rounded as gokeras does) and in float64 otherwise. Unlike gokeras, which fails
// the run, a NaN gets bucket 0.
func convDiscretization(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.DiscretizationLayer)
	if !ok {
		return nil, errors.Errorf("not a Discretization layer (%T)", c.Layer())
	}
	b := l.BinBoundaries()
	if len(b) == 0 {
		return nil, errors.New("no bin boundaries (adapt the layer first)")
	}
	x := c.Inputs()[0]
	dt := c.InputSpecs()[0].DType
	if dt != tensor.Float32 && dt != tensor.Float64 {
		var err error
		if x, err = c.Cast(x, tensor.Float64); err != nil {
			return nil, err
		}
		dt = tensor.Float64
	}
	bn, err := c.ConstAs("boundaries", dt, []int{len(b)}, b)
	if err != nil {
		return nil, err
	}
	ge := c.Op("GreaterOrEqual", []string{c.Op("Unsqueeze", []string{x, c.Ints("axes", -1)}), bn})
	ge, err = c.Cast(ge, tensor.Int64)
	if err != nil {
		return nil, err
	}
	return []string{c.Op("ReduceSum", []string{ge, c.Ints("axes", -1)}, AttrInt("keepdims", 0))}, nil
}

// convIntegerLookup is IntegerLookup with at most one out-of-vocabulary id: the
// value matching vocabulary entry k gets NumOOV+k; an unknown value gets 0 (the
// OOV id; with no OOV id gokeras fails the run instead). Several OOV ids, chosen
// by gokeras' hash, are refused.
func convIntegerLookup(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.LookupLayer)
	if !ok {
		return nil, errors.Errorf("not a lookup layer (%T)", c.Layer())
	}
	if l.NumOOV() > 1 {
		return nil, errors.Errorf("%d out-of-vocabulary ids are chosen by gokeras' hash, which ONNX has no operator for (export with 0 or 1)", l.NumOOV())
	}
	vocab := l.Vocabulary()
	vs, ids := make([]int, len(vocab)), make([]int, len(vocab))
	for k, s := range vocab {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errors.Errorf("vocabulary entry %d (%q) is not an integer", k, s)
		}
		vs[k], ids[k] = int(v), l.NumOOV()+k
	}
	if len(vs) == 0 {
		return nil, errors.New("empty vocabulary (adapt the layer first)")
	}
	x, err := c.Cast(c.Inputs()[0], tensor.Int64)
	if err != nil {
		return nil, err
	}
	eq := c.Op("Equal", []string{c.Op("Unsqueeze", []string{x, c.Ints("axes", -1)}), c.Ints("vocabulary", vs...)})
	if eq, err = c.Cast(eq, tensor.Int64); err != nil {
		return nil, err
	}
	hit := c.Op("Mul", []string{eq, c.Ints("ids", ids...)})
	return []string{c.Op("ReduceSum", []string{hit, c.Ints("axes", -1)}, AttrInt("keepdims", 0))}, nil
}
