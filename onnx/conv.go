package onnx

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// Images stay NHWC at the graph's edges (gokeras' layout); ONNX's Conv and pools
// want NCHW, so each one is wrapped in Transposes, and simplify removes the pairs
// that cancel between consecutive convolutions and pools.
var (
	toNCHW = []int{0, 3, 1, 2}
	toNHWC = []int{0, 2, 3, 1}
	swap12 = []int{0, 2, 1} // (batch, steps, channels) <-> (batch, channels, steps)
)

func transpose(c *Context, x string, perm []int) string {
	return c.Op("Transpose", []string{x}, AttrInts("perm", perm...))
}

// padAxis is gokeras' padding along one axis of size in for a window of k taps
// spaced d apart, stride s (graph's convAxis): "valid" none, "same" total
// max((out-1)·s + eff - in, 0) with out = ceil(in/s), the smaller half before.
func padAxis(in, k, s, d int, padding string) (before, after int, err error) {
	switch padding {
	case "valid":
		return 0, 0, nil
	case "same":
		eff := (k-1)*d + 1
		out := (in + s - 1) / s
		total := (out-1)*s + eff - in
		if total < 0 {
			total = 0
		}
		return total / 2, total - total/2, nil
	}
	return 0, 0, errors.Errorf("padding %q has no ONNX form", padding)
}

// kernelOIHW reorders a (kh, kw, in, out) kernel to ONNX's (out, in, kh, kw).
func kernelOIHW(shape []int, data []float64) ([]int, []float64, error) {
	if len(shape) != 4 {
		return nil, nil, errors.Errorf("kernel shape %v is not (height, width, in, out)", shape)
	}
	kh, kw, ci, co := shape[0], shape[1], shape[2], shape[3]
	out := make([]float64, len(data))
	for h := 0; h < kh; h++ {
		for w := 0; w < kw; w++ {
			for i := 0; i < ci; i++ {
				for o := 0; o < co; o++ {
					out[((o*ci+i)*kh+h)*kw+w] = data[((h*kw+w)*ci+i)*co+o]
				}
			}
		}
	}
	return []int{co, ci, kh, kw}, out, nil
}

// kernelOIK reorders a (k, in, out) kernel to ONNX's (out, in, k).
func kernelOIK(shape []int, data []float64) ([]int, []float64, error) {
	if len(shape) != 3 {
		return nil, nil, errors.Errorf("kernel shape %v is not (size, in, out)", shape)
	}
	k, ci, co := shape[0], shape[1], shape[2]
	out := make([]float64, len(data))
	for t := 0; t < k; t++ {
		for i := 0; i < ci; i++ {
			for o := 0; o < co; o++ {
				out[(o*ci+i)*k+t] = data[(t*ci+i)*co+o]
			}
		}
	}
	return []int{co, ci, k}, out, nil
}

// convConv2D is Conv2D: Transpose to NCHW, Conv (OIHW kernel, gokeras' explicit
// pads, strides, dilations, bias), Transpose back, activation.
func convConv2D(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.Conv2DLayer)
	if !ok {
		return nil, errors.Errorf("not a Conv2D layer (%T)", c.Layer())
	}
	in := c.InputSpecs()[0].Shape
	if len(in) != 3 {
		return nil, errors.Errorf("input shape %v is not (height, width, channels)", in)
	}
	spec := l.Spec()
	kshape := l.Kernel().Value.Shape()
	pt, pb, err := padAxis(in[0], kshape[0], spec.Strides[0], spec.Dilation[0], spec.Padding)
	if err != nil {
		return nil, err
	}
	pl, pr, _ := padAxis(in[1], kshape[1], spec.Strides[1], spec.Dilation[1], spec.Padding)
	w, err := c.ParamFunc(l.Kernel(), "oihw", kernelOIHW)
	if err != nil {
		return nil, err
	}
	ins := []string{transpose(c, c.Inputs()[0], toNCHW), w}
	if l.Bias() != nil {
		b, err := c.Param(l.Bias())
		if err != nil {
			return nil, err
		}
		ins = append(ins, b)
	}
	y := c.Op("Conv", ins, AttrInts("kernel_shape", kshape[0], kshape[1]), AttrInts("strides", spec.Strides[0], spec.Strides[1]),
		AttrInts("dilations", spec.Dilation[0], spec.Dilation[1]), AttrInts("pads", pt, pl, pb, pr))
	return convOut(c, y, toNHWC)
}

// convConv1D is Conv1D: (batch, steps, channels) transposed to (batch, channels,
// steps), Conv with "causal" as dilation·(k-1) zeros before, transposed back.
func convConv1D(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.Conv1DLayer)
	if !ok {
		return nil, errors.Errorf("not a Conv1D layer (%T)", c.Layer())
	}
	in := c.InputSpecs()[0].Shape
	if len(in) != 2 {
		return nil, errors.Errorf("input shape %v is not (steps, channels)", in)
	}
	spec, k := l.Spec(), l.KernelSize()
	var before, after int
	var err error
	if spec.Padding == "causal" {
		before = spec.Dilation * (k - 1)
	} else if before, after, err = padAxis(in[0], k, spec.Stride, spec.Dilation, spec.Padding); err != nil {
		return nil, err
	}
	w, err := c.ParamFunc(l.Kernel(), "oik", kernelOIK)
	if err != nil {
		return nil, err
	}
	ins := []string{transpose(c, c.Inputs()[0], swap12), w}
	if l.Bias() != nil {
		b, err := c.Param(l.Bias())
		if err != nil {
			return nil, err
		}
		ins = append(ins, b)
	}
	y := c.Op("Conv", ins, AttrInts("kernel_shape", k), AttrInts("strides", spec.Stride),
		AttrInts("dilations", spec.Dilation), AttrInts("pads", before, after))
	return convOut(c, y, swap12)
}

// convZeroPadding2D is ZeroPadding2D: Pad of the height and width axes of NHWC.
func convZeroPadding2D(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.ZeroPaddingLayer)
	if !ok {
		return nil, errors.Errorf("not a ZeroPadding2D layer (%T)", c.Layer())
	}
	p := l.Padding() // top, bottom, left, right
	pads := c.Ints("pads", 0, p[0], p[2], 0, 0, p[1], p[3], 0)
	return []string{c.Op("Pad", []string{c.Inputs()[0], pads}, AttrString("mode", "constant"))}, nil
}

// convOut transposes a convolution's channels-first result y back with perm and
// applies the layer's activation: an element-wise one before the Transpose (so
// that the Transpose can cancel with the next layer's), softmax after it (it acts
// on the last axis, the channels).
func convOut(c *Context, y string, perm []int) ([]string, error) {
	act := c.StringConfig("activation")
	if act == "softmax" {
		y, err := c.Activation(act, transpose(c, y, perm))
		return []string{y}, err
	}
	y, err := c.Activation(act, y)
	if err != nil {
		return nil, err
	}
	return []string{transpose(c, y, perm)}, nil
}
