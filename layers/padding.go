package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ZeroPaddingLayer adds rows and columns of zeros around images, Keras'
// ZeroPadding2D with data_format channels_last: (batch, height, width, channels)
// becomes (batch, top+height+bottom, left+width+right, channels). It has no
// parameters.
type ZeroPaddingLayer struct {
	Base
	pad [4]int // top, bottom, left, right
	err error
}

// ZeroPadding2D returns a layer adding top and bottom rows and left and right
// columns of zeros (Keras' ((top, bottom), (left, right))); every amount must be
// >= 0. It takes WithName.
func ZeroPadding2D(top, bottom, left, right int, opts ...Option) *ZeroPaddingLayer {
	cfg, err := layerConfig("ZeroPadding2D", nil, opts)
	pad := [4]int{top, bottom, left, right}
	if err == nil && (top < 0 || bottom < 0 || left < 0 || right < 0) {
		err = errors.Errorf("ZeroPadding2D: padding (top %d, bottom %d, left %d, right %d) must not be negative", top, bottom, left, right)
	}
	l := &ZeroPaddingLayer{pad: pad, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "ZeroPadding2D".
func (l *ZeroPaddingLayer) Type() string { return "ZeroPadding2D" }

// Padding returns (top, bottom, left, right).
func (l *ZeroPaddingLayer) Padding() [4]int { return l.pad }

// Build checks that the input is (height, width, channels) and returns the padded
// shape.
func (l *ZeroPaddingLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named("ZeroPadding2D", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 3 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s is not (height, width, channels)", who, fmtShape(in))
	}
	return []int{in[0] + l.pad[0] + l.pad[1], in[1] + l.pad[2] + l.pad[3], in[2]}, nil
}

// Forward pads x of shape (batch, height, width, channels).
func (l *ZeroPaddingLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	y, err := graph.ZeroPad2D(x, l.pad[0], l.pad[1], l.pad[2], l.pad[3])
	return y, errors.Wrap(err, named("ZeroPadding2D", l.Name()))
}
