package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InputLayer declares the shape of one example; it is the first layer of a
// Sequential model and has no parameters. It is not listed in Summary, as in Keras.
type InputLayer struct {
	Base
	shape []int
	dtype tensor.Dtype // zero: the model's float type
	err   error
	t     *Tensor // the symbolic tensor of a functional model's input
}

// Input declares examples of the given shape (without the batch dimension):
// Input(784) for vectors, Input(28, 28, 1) for images. It takes WithName.
func Input(shape ...int) *InputLayer {
	l := &InputLayer{shape: append([]int(nil), shape...)}
	if len(shape) == 0 {
		l.err = errors.New("input: no shape given")
	}
	for _, d := range shape {
		if d <= 0 {
			l.err = errors.Errorf("input: shape %v has a dimension <= 0", shape)
		}
	}
	return l
}

// Type returns "InputLayer".
func (l *InputLayer) Type() string { return "InputLayer" }

// Shape is the declared example shape.
func (l *InputLayer) Shape() []int { return append([]int(nil), l.shape...) }

// Build checks that in (nil for a first layer) agrees with the declared shape.
func (l *InputLayer) Build(_ BuildContext, in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	if in != nil && !equalShapes(in, l.shape) {
		return nil, errors.Errorf("input: declared shape %v but receives %v", l.shape, in)
	}
	return l.Shape(), nil
}

// DType is the declared dtype: the zero Dtype stands for the model's float type.
func (l *InputLayer) DType() tensor.Dtype { return l.dtype }

// tensor returns the input's symbolic tensor, made on first use.
func (l *InputLayer) tensor() *Tensor {
	if l.t != nil {
		return l.t
	}
	n := &node{layer: l}
	t := &Tensor{node: n, spec: Spec{Name: l.Name(), Shape: l.Shape(), DType: l.dtype}, err: l.err}
	if l.err != nil {
		t.err = errors.Wrapf(l.err, "input %q", l.Name())
	}
	n.out = []*Tensor{t}
	l.nodes = append(l.nodes, n)
	l.t = t
	return t
}

// Forward returns x.
func (l *InputLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) { return x, nil }

func equalShapes(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func prod(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}
