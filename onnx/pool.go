package onnx

import (
	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// poolOp is MaxPool or AveragePool; average pools leave padded positions out of
// the count (count_include_pad 0), as gokeras does at "same" borders.
func poolOp(c *Context, typ, x string, size, strides, pads []int) string {
	attrs := []*pb.AttributeProto{AttrInts("kernel_shape", size...), AttrInts("strides", strides...), AttrInts("pads", pads...)}
	if typ == "Average" {
		return c.Op("AveragePool", []string{x}, append(attrs, AttrInt("count_include_pad", 0))...)
	}
	return c.Op("MaxPool", []string{x}, attrs...)
}

func poolKind(typ string) string {
	if len(typ) >= 7 && typ[:7] == "Average" {
		return "Average"
	}
	return "Max"
}

// convPool2D is MaxPooling2D and AveragePooling2D on NHWC images.
func convPool2D(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.PoolingLayer)
	if !ok {
		return nil, errors.Errorf("not a 2-D pooling layer (%T)", c.Layer())
	}
	in := c.InputSpecs()[0].Shape
	if len(in) != 3 {
		return nil, errors.Errorf("input shape %v is not (height, width, channels)", in)
	}
	s := l.Spec()
	pt, pb, err := padAxis(in[0], s.Size[0], s.Strides[0], 1, s.Padding)
	if err != nil {
		return nil, err
	}
	pl, pr, _ := padAxis(in[1], s.Size[1], s.Strides[1], 1, s.Padding)
	y := poolOp(c, poolKind(l.Type()), transpose(c, c.Inputs()[0], toNCHW), s.Size[:], s.Strides[:], []int{pt, pl, pb, pr})
	return []string{transpose(c, y, toNHWC)}, nil
}

// convPool1D is MaxPooling1D and AveragePooling1D on (batch, steps, channels).
func convPool1D(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.Pooling1DLayer)
	if !ok {
		return nil, errors.Errorf("not a 1-D pooling layer (%T)", c.Layer())
	}
	in := c.InputSpecs()[0].Shape
	if len(in) != 2 {
		return nil, errors.Errorf("input shape %v is not (steps, channels)", in)
	}
	s := l.Spec()
	before, after, err := padAxis(in[0], s.Size, s.Stride, 1, s.Padding)
	if err != nil {
		return nil, err
	}
	y := poolOp(c, poolKind(l.Type()), transpose(c, c.Inputs()[0], swap12), []int{s.Size}, []int{s.Stride}, []int{before, after})
	return []string{transpose(c, y, swap12)}, nil
}

// convGlobalPool is GlobalAverage/MaxPooling 1D and 2D: ReduceMean or ReduceMax
// over the steps or the height and width (every axis but batch and channels).
func convGlobalPool(c *Context) ([]string, error) {
	rank := len(c.InputSpecs()[0].Shape)
	if rank < 2 {
		return nil, errors.Errorf("input shape %v has no spatial axis", c.InputSpecs()[0].Shape)
	}
	axes := make([]int, 0, rank-1)
	for a := 1; a < rank; a++ {
		axes = append(axes, a)
	}
	op := "ReduceMax"
	if poolKind(c.Layer().Type()[len("Global"):]) == "Average" {
		op = "ReduceMean"
	}
	return []string{c.Op(op, c.Inputs(), AttrInts("axes", axes...), AttrInt("keepdims", 0))}, nil
}
