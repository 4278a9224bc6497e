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
	// variable: the first axis of the shape (the sequence axis) is a maximum;
	// programs may be compiled for any length from 1 to it (WithVariableSteps).
	variable bool
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

// WithVariableSteps declares the input's first axis (the sequence axis, T of an
// input of shape (T) ids or (T, features)) variable, up to the declared length:
// the model is built at that maximum, and a trainer compiles one program per
// (batch, length) it meets, so batches of any length 1 <= T' <= T run (padded
// buckets, datasets.Bucket). It is Keras' Input(shape=(None,)) with a maximum.
// Layers that keep the sequence axis (Embedding, Conv1D, LSTM/GRU with
// return_sequences, attention, TransformerEncoder, TimeDistributed, Dense on rank
// 3) follow the length; layers that consume it (GlobalPooling1D, an RNN's last
// state) give outputs of fixed shape. A layer whose output shape depends on the
// length (Flatten before Dense) makes compiling at a shorter length an error that
// names it. It returns l, for Sequential: Input(256).WithVariableSteps().
func (l *InputLayer) WithVariableSteps() *InputLayer {
	l.variable = true
	return l
}

// VariableSteps reports whether WithVariableSteps declared the first axis variable.
func (l *InputLayer) VariableSteps() bool { return l.variable }

// WithVariableSteps declares the sequence axis (the first of the shape) of the
// functional input t variable up to its declared length (see
// InputLayer.WithVariableSteps):
//
//	ids := layers.NewInput("ids", layers.Shape(256), layers.Int64).WithVariableSteps()
//
// t must come from NewInput; otherwise the returned tensor carries an error that
// NewModel reports. It returns t.
func (t *Tensor) WithVariableSteps() *Tensor {
	if t == nil || t.err != nil {
		return t
	}
	in, ok := t.Layer().(*InputLayer)
	if !ok {
		t.err = errors.Errorf("WithVariableSteps: tensor %s is not a model input (NewInput)", t)
		return t
	}
	in.WithVariableSteps()
	return t
}

// VariableInputs reports, per input in the order of Inputs, whether its sequence
// axis was declared variable (WithVariableSteps); the declared length is the
// maximum. A trainer uses it to compile programs per (batch, length).
func (m *Functional) VariableInputs() []bool {
	out := make([]bool, len(m.inputs))
	for i, t := range m.inputs {
		if in, ok := t.Layer().(*InputLayer); ok {
			out[i] = in.variable
		}
	}
	return out
}

// VariableInputs reports whether the input's sequence axis was declared variable
// (see Functional.VariableInputs); nil before Build.
func (s *Sequential) VariableInputs() []bool {
	if s.f == nil {
		return nil
	}
	return s.f.VariableInputs()
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
