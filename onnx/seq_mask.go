package onnx

import (
	"math"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// Keras masks in the exported graph.
//
// gokeras records beside some values a mask (batch, steps) of 1 for real steps and
// 0 for padding (Embedding with mask_zero, Masking); mask-aware layers read it
// (RNNs keep their state on padded steps, attention ignores padded keys and
// queries, GlobalPooling1D leaves padded steps out) and some layers pass it on
// (Dense, Activation, Dropout, LayerNormalization, the positional layers,
// attention and transformer blocks, RNNs returning sequences, TimeDistributed).
// The exporter mirrors this: the mask of the ONNX value v is the value named
// v + maskSuffix, a float tensor (batch, steps) in the model's float type, made
// by an Identity when a converter sets it. Its presence is read from the names
// the graph has taken, so that no state lives outside the graph being written.

// maskSuffix ends the name of the mask of a value.
const maskSuffix = "#mask"

// maskOf returns the name of the mask of value v, if v has one.
func maskOf(c *Context, v string) (string, bool) {
	m := v + maskSuffix
	return m, c.e.used[m]
}

// inputMask returns the mask of the call's i-th input, or "" when it has none.
func inputMask(c *Context, i int) string {
	ins := c.Inputs()
	if i >= len(ins) {
		return ""
	}
	m, ok := maskOf(c, ins[i])
	if !ok {
		return ""
	}
	return m
}

// setMask records mask m (a value of shape (batch, steps), "" for none) as the
// mask of value v. A value keeps the first mask set on it.
func setMask(c *Context, v, m string) {
	if v == "" || m == "" {
		return
	}
	name := v + maskSuffix
	if c.e.used[name] {
		return
	}
	c.e.used[name] = true
	c.e.g.Node = append(c.e.g.Node, &pb.NodeProto{Name: c.e.fresh(name + "_node"), OpType: "Identity",
		Input: []string{m}, Output: []string{name}})
}

// passingMask wraps a converter of a layer that keeps its input's mask (Dense,
// Activation, Dropout): the first output gets the first input's mask.
func passingMask(conv Converter) Converter {
	return func(c *Context) ([]string, error) {
		outs, err := conv(c)
		if err == nil && len(outs) > 0 {
			setMask(c, outs[0], inputMask(c, 0))
		}
		return outs, err
	}
}

// castTo returns x cast to the model's float type.
func seqCast(c *Context, x string) (string, error) {
	et, err := elemType(c.DType())
	if err != nil {
		return "", err
	}
	return c.Op("Cast", []string{x}, AttrInt("to", int(et))), nil
}

// unsqueeze inserts axes of length one.
func seqUnsqueeze(c *Context, x string, axes ...int) string {
	return c.Op("Unsqueeze", []string{x, c.Ints("axes", axes...)})
}

// squeeze removes the given axes of length one.
func seqSqueeze(c *Context, x string, axes ...int) string {
	return c.Op("Squeeze", []string{x, c.Ints("axes", axes...)})
}

// seqMasking is Keras' Masking: a step whose features all equal the mask value
// becomes zeros and is masked; mask = any(x != value) over the last axis, y =
// x·mask.
func seqMasking(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.MaskingLayer)
	if !ok {
		return nil, errors.Errorf("not a Masking layer (%T)", c.Layer())
	}
	x := c.Inputs()[0]
	eq := c.Op("Equal", []string{x, c.Scalar("mask_value", l.MaskValue())})
	ne, err := seqCast(c, c.Op("Not", []string{eq}))
	if err != nil {
		return nil, err
	}
	m := c.Op("ReduceMax", []string{ne}, AttrInts("axes", -1), AttrInt("keepdims", 0))
	y := c.Op("Mul", []string{x, seqUnsqueeze(c, m, -1)})
	setMask(c, y, m)
	return []string{y}, nil
}

// maskedGlobalPool is GlobalAveragePooling1D and GlobalMaxPooling1D: without a mask
// the core converter (unmasked), with one the pooling over the real steps only (a
// row with no real step gives zeros), as gokeras' mask-aware pooling.
func maskedGlobalPool(plain Converter) Converter {
	return func(c *Context) ([]string, error) {
		m := inputMask(c, 0)
		if m == "" {
			return plain(c)
		}
		x := c.Inputs()[0]
		if s := c.InputSpecs()[0].Shape; len(s) != 2 {
			return nil, errors.Errorf("input shape %v is not (steps, channels)", s)
		}
		m3 := seqUnsqueeze(c, m, -1)                                                      // (B, T, 1)
		cnt := c.Op("ReduceSum", []string{m3, c.Ints("axes", 1)}, AttrInt("keepdims", 0)) // (B, 1)
		has := c.Op("Greater", []string{cnt, c.Scalar("zero", 0)})                        // (B, 1)
		zero := c.Scalar("zero", 0)
		if c.Layer().Type() == "GlobalAveragePooling1D" {
			s := c.Op("ReduceSum", []string{c.Op("Mul", []string{x, m3}), c.Ints("axes", 1)}, AttrInt("keepdims", 0))
			y := c.Op("Div", []string{s, c.Op("Max", []string{cnt, c.Scalar("one", 1)})})
			return []string{c.Op("Where", []string{has, y, zero})}, nil
		}
		keep := c.Op("Cast", []string{m3}, AttrInt("to", int(pb.TensorProto_BOOL)))
		low := c.Scalar("lowest", math.Inf(-1))
		mx := c.Op("ReduceMax", []string{c.Op("Where", []string{keep, x, low})}, AttrInts("axes", 1), AttrInt("keepdims", 0))
		return []string{c.Op("Where", []string{has, mx, zero})}, nil
	}
}
