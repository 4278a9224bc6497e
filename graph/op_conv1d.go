package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Conv1DSpec holds the settings of a 1-D convolution of sequences (batch, steps,
// channels) by a kernel (kernel_size, in_channels, filters), Keras' channels_last
// layout.
type Conv1DSpec struct {
	// Stride is the step between output positions; it must be >= 1.
	Stride int
	// Dilation is the spacing of kernel taps; it must be >= 1.
	Dilation int
	// Padding is "valid" (none), "same" (zeros on both sides so that the output has
	// ceil(steps/stride) positions; an odd total puts the extra zero at the end, as
	// Keras does) or "causal" (dilation·(kernel_size-1) zeros before the first step
	// only, so that output t sees no input after t).
	Padding string
}

// Pool1DSpec holds the settings of a 1-D pooling of sequences (batch, steps,
// channels).
type Pool1DSpec struct {
	// Size is the window length and Stride the step; both must be >= 1.
	Size, Stride int
	// Padding is "valid" or "same" as in Conv1DSpec; padded positions are ignored.
	Padding string
}

// conv1DAxis checks a 1-D convolution of steps positions by a kernel of k taps
// and returns the output length and the padding before (causal padding is done
// by the caller, then the convolution is valid).
func conv1DAxis(steps, k int, spec Conv1DSpec) (out, before int, err error) {
	padding := spec.Padding
	if padding == "causal" {
		if spec.Dilation <= 0 {
			return 0, 0, errors.Errorf("dilation %d must be >= 1", spec.Dilation)
		}
		before = spec.Dilation * (k - 1)
		steps += before
		padding = "valid"
	}
	out, b, _, err := convAxis(steps, k, spec.Stride, spec.Dilation, padding)
	if spec.Padding != "causal" {
		before = b
	}
	if err != nil && spec.Padding != "valid" && spec.Padding != "same" && spec.Padding != "causal" {
		err = errors.Errorf("unknown padding %q (valid: causal, same, valid)", spec.Padding)
	}
	return out, before, err
}

// Conv1DOutputShape is the example shape (out_steps, filters) that a 1-D
// convolution gives for an example of shape in = (steps, channels) and a kernel of
// shape (kernel_size, channels, filters), or an error naming what does not fit.
func Conv1DOutputShape(in, kernel []int, spec Conv1DSpec) ([]int, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("conv1d: input shape %s is not (steps, channels)", dims(in))
	}
	if len(kernel) != 3 || kernel[1] != in[1] {
		return nil, errors.Errorf("conv1d: kernel shape %s does not fit the input %s (want (kernel_size, %d, filters))", dims(kernel), dims(in), in[1])
	}
	out, _, err := conv1DAxis(in[0], kernel[0], spec)
	if err != nil {
		return nil, errors.Wrapf(err, "conv1d: input %s, kernel %s, stride %d, dilation %d", dims(in), dims(kernel), spec.Stride, spec.Dilation)
	}
	return []int{out, kernel[2]}, nil
}

// Conv1D convolves x, shape (batch, steps, channels), with kernel, shape
// (kernel_size, channels, filters), giving (batch, out_steps, filters). It runs as
// the 2-D convolution of this package on images of height 1 (causal padding is a
// ZeroPad2D on the left), so its gradients are those of Conv2D and ZeroPad2D.
func Conv1D(x, kernel *G.Node, spec Conv1DSpec) (n *G.Node, err error) {
	const name = "conv1d"
	defer recoverOp(&err, name)
	xs, ks := x.Shape(), kernel.Shape()
	if xs.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v is not (batch, steps, channels)", name, xs)
	}
	out, err := Conv1DOutputShape(xs[1:], ks, spec)
	if err != nil {
		return nil, err
	}
	x4, err := G.Reshape(x, []int{xs[0], 1, xs[1], xs[2]})
	if err != nil {
		return nil, errors.Wrapf(err, "%s: reshape input %v", name, xs)
	}
	padding := spec.Padding
	if padding == "causal" {
		if x4, err = ZeroPad2D(x4, 0, 0, spec.Dilation*(ks[0]-1), 0); err != nil {
			return nil, errors.Wrapf(err, "%s: causal padding", name)
		}
		padding = "valid"
	}
	k4, err := G.Reshape(kernel, []int{1, ks[0], ks[1], ks[2]})
	if err != nil {
		return nil, errors.Wrapf(err, "%s: reshape kernel %v", name, ks)
	}
	y, err := Conv2D(x4, k4, Conv2DSpec{Strides: [2]int{1, spec.Stride}, Dilation: [2]int{1, spec.Dilation}, Padding: padding})
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	n, err = G.Reshape(y, []int{xs[0], out[0], out[1]})
	return n, errors.Wrapf(err, "%s: reshape output %v", name, y.Shape())
}
