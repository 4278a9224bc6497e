package graph

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
)

// Conv2DSpec holds the settings of a 2-D convolution of NHWC images (batch, height,
// width, channels) by a kernel (kernel_height, kernel_width, in_channels, filters),
// Keras' channels_last layout.
type Conv2DSpec struct {
	// Strides are the (vertical, horizontal) steps; both must be >= 1 (Keras'
	// default is (1, 1)).
	Strides [2]int
	// Dilation is the (vertical, horizontal) spacing of kernel taps; both must be
	// >= 1 (1 is an ordinary convolution).
	Dilation [2]int
	// Padding is "valid" (none: the kernel stays inside the image) or "same" (zeros
	// around the image so that the output size is ceil(input/stride); an odd total
	// puts the extra row or column at the bottom or right, as Keras does).
	Padding string
}

// Pool2DSpec holds the settings of a 2-D pooling of NHWC images.
type Pool2DSpec struct {
	// Size is the (height, width) of the window; both must be >= 1.
	Size [2]int
	// Strides are the (vertical, horizontal) steps; both must be >= 1 (Keras'
	// default is the window size).
	Strides [2]int
	// Padding is "valid" or "same" as in Conv2DSpec; padded positions are ignored
	// (never the maximum, not counted in the average), as in Keras.
	Padding string
}

// convGeom is the full geometry of one convolution or pooling: input (n, h, w, c),
// window (kh, kw) with f output channels, strides, dilation, padding before
// (pt, pl) and output (oh, ow).
type convGeom struct {
	n, h, w, c     int
	kh, kw, f      int
	sh, sw, dh, dw int
	pt, pl         int
	oh, ow         int
}

// k is the length of one im2col row: kh·kw·c.
func (g convGeom) k() int { return g.kh * g.kw * g.c }

// pix is the number of output positions per image.
func (g convGeom) pix() int { return g.oh * g.ow }

func (g convGeom) String() string {
	return fmt.Sprintf("k%dx%d_s%dx%d_d%dx%d_p%d,%d", g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl)
}

// convAxis returns the output size and the padding before and after along one
// spatial axis of size in, for a window of k taps spaced d apart, stride s.
func convAxis(in, k, s, d int, padding string) (out, before, after int, err error) {
	if in <= 0 || k <= 0 {
		return 0, 0, 0, errors.Errorf("size %d and window %d must be positive", in, k)
	}
	if s <= 0 || d <= 0 {
		return 0, 0, 0, errors.Errorf("stride %d and dilation %d must be >= 1", s, d)
	}
	eff := (k-1)*d + 1
	switch padding {
	case "valid":
		if eff > in && d > 1 {
			return 0, 0, 0, errors.Errorf("window of %d (dilated to %d) is larger than the input size %d with padding valid", k, eff, in)
		}
		if eff > in {
			return 0, 0, 0, errors.Errorf("window of %d is larger than the input size %d with padding valid", k, in)
		}
		return (in-eff)/s + 1, 0, 0, nil
	case "same":
		out = (in + s - 1) / s
		total := max((out-1)*s+eff-in, 0)
		return out, total / 2, total - total/2, nil
	}
	return 0, 0, 0, errors.Errorf("unknown padding %q (valid: same, valid)", padding)
}

// newGeom computes the geometry of an input (n, h, w, c) and a window (kh, kw)
// producing f channels.
func newGeom(n, h, w, c, kh, kw, f int, strides, dilation [2]int, padding string) (convGeom, error) {
	g := convGeom{n: n, h: h, w: w, c: c, kh: kh, kw: kw, f: f, sh: strides[0], sw: strides[1], dh: dilation[0], dw: dilation[1]}
	var err error
	if g.oh, g.pt, _, err = convAxis(h, kh, g.sh, g.dh, padding); err != nil {
		return g, errors.Wrap(err, "height")
	}
	if g.ow, g.pl, _, err = convAxis(w, kw, g.sw, g.dw, padding); err != nil {
		return g, errors.Wrap(err, "width")
	}
	return g, nil
}

// convGeomOf checks an input shape (batch, height, width, channels) and a kernel
// shape (kh, kw, in_channels, filters) against spec and returns the geometry.
func convGeomOf(x, kernel []int, spec Conv2DSpec) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, errors.Errorf("conv2d: input shape %v is not (batch, height, width, channels)", x)
	}
	if len(kernel) != 4 {
		return convGeom{}, errors.Errorf("conv2d: kernel shape %v is not (height, width, in_channels, filters)", kernel)
	}
	if kernel[2] != x[3] {
		return convGeom{}, errors.Errorf("conv2d: kernel %v expects %d input channels, the input %v has %d", kernel, kernel[2], x, x[3])
	}
	g, err := newGeom(x[0], x[1], x[2], x[3], kernel[0], kernel[1], kernel[3], spec.Strides, spec.Dilation, spec.Padding)
	if err != nil {
		return g, errors.Wrapf(err, "conv2d: input %v, kernel %v, strides %v, dilation %v", x, kernel, spec.Strides, spec.Dilation)
	}
	return g, nil
}

// poolGeomOf checks an input shape (batch, height, width, channels) against spec.
func poolGeomOf(x []int, spec Pool2DSpec) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, errors.Errorf("pool2d: input shape %v is not (batch, height, width, channels)", x)
	}
	g, err := newGeom(x[0], x[1], x[2], x[3], spec.Size[0], spec.Size[1], x[3], spec.Strides, [2]int{1, 1}, spec.Padding)
	if err != nil {
		return g, errors.Wrapf(err, "pool2d: input %v, pool size %v, strides %v", x, spec.Size, spec.Strides)
	}
	return g, nil
}

// Conv2DOutputShape is the example shape (out_height, out_width, filters) that a
// convolution gives for an example of shape in = (height, width, channels) and a
// kernel of shape (kernel_height, kernel_width, channels, filters), or an error
// naming the shapes that do not fit.
func Conv2DOutputShape(in, kernel []int, spec Conv2DSpec) ([]int, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("conv2d: input shape %v is not (height, width, channels)", in)
	}
	if len(kernel) != 4 || kernel[2] != in[2] {
		return nil, errors.Errorf("conv2d: kernel shape %s does not fit the input %s (want (height, width, %d, filters))", dims(kernel), dims(in), in[2])
	}
	g, err := newGeom(1, in[0], in[1], in[2], kernel[0], kernel[1], kernel[3], spec.Strides, spec.Dilation, spec.Padding)
	if err != nil {
		return nil, errors.Wrapf(err, "conv2d: input %s, kernel %s, strides %s, dilation %s", dims(in), dims(kernel), dims(spec.Strides[:]), dims(spec.Dilation[:]))
	}
	return []int{g.oh, g.ow, g.f}, nil
}

// Pool2DOutputShape is the example shape (out_height, out_width, channels) that a
// pooling gives for an example of shape in = (height, width, channels).
func Pool2DOutputShape(in []int, spec Pool2DSpec) ([]int, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("pool2d: input shape %v is not (height, width, channels)", in)
	}
	g, err := newGeom(1, in[0], in[1], in[2], spec.Size[0], spec.Size[1], in[2], spec.Strides, [2]int{1, 1}, spec.Padding)
	if err != nil {
		return nil, errors.Wrapf(err, "pool2d: input %s, pool size %s, strides %s", dims(in), dims(spec.Size[:]), dims(spec.Strides[:]))
	}
	return []int{g.oh, g.ow, g.c}, nil
}

// dims formats a shape as (a, b, c).
func dims(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
