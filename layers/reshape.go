package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ReshapeLayer changes the shape of each example, keeping its elements in order.
// Flatten is a ReshapeLayer to one axis.
type ReshapeLayer struct {
	Base
	kind   string
	target []int // nil for Flatten
	out    []int
	err    error
}

// Flatten returns a layer reshaping each example to one axis: (batch, 28, 28, 1)
// becomes (batch, 784). It takes WithName.
func Flatten(opts ...Option) *ReshapeLayer {
	cfg, err := layerConfig("Flatten", nil, opts)
	l := &ReshapeLayer{kind: "Flatten", err: err}
	l.SetName(cfg.name)
	return l
}

// Reshape returns a layer reshaping each example to shape; one dimension may be -1
// and is inferred, as in Keras. It takes WithName.
func Reshape(shape []int, opts ...Option) *ReshapeLayer {
	cfg, err := layerConfig("Reshape", nil, opts)
	if err == nil && len(shape) == 0 {
		err = errors.New("Reshape: empty target shape")
	}
	l := &ReshapeLayer{kind: "Reshape", target: append([]int(nil), shape...), err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Flatten" or "Reshape".
func (l *ReshapeLayer) Type() string { return l.kind }

// Build infers the output shape and checks that the sizes agree.
func (l *ReshapeLayer) Build(_ BuildContext, in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	size := prod(in)
	if l.target == nil {
		l.out = []int{size}
		return []int{size}, nil
	}
	out := append([]int(nil), l.target...)
	known, unknown := 1, -1
	for i, d := range out {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d <= 0:
			return nil, errors.Errorf("Reshape: target %v has an invalid dimension %d", l.target, d)
		default:
			known *= d
		}
	}
	if unknown >= 0 {
		if size%known != 0 {
			return nil, errors.Errorf("Reshape: cannot reshape %s (%d elements) to %s", fmtShape(in), size, fmtShape(l.target))
		}
		out[unknown] = size / known
	}
	if prod(out) != size {
		return nil, errors.Errorf("Reshape: cannot reshape %s (%d elements) to %s (%d elements)", fmtShape(in), size, fmtShape(l.target), prod(out))
	}
	l.out = out
	return append([]int(nil), out...), nil
}

// Forward reshapes x to (batch, out...).
func (l *ReshapeLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	if l.out == nil {
		return nil, errors.Errorf("%s: not built", l.kind)
	}
	to := append([]int{x.Shape()[0]}, l.out...)
	y, err := G.Reshape(x, to)
	return y, errors.Wrapf(err, "%s: %v to %v", l.kind, x.Shape(), to)
}
