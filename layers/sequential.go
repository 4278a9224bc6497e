package layers

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sequential is a linear stack of layers. The first layer is an Input giving the
// example shape; every later layer infers its input shape. It builds a functional
// model (NewModel) of one input and one output and runs through it: Sequential
// is a functional model with a simpler constructor and the Keras file format of a
// Sequential. It is also a layer: applied inside a functional model it shares its
// weights between calls (siamese towers); there the Input may be left out.
type Sequential struct {
	Base
	layers []Layer
	f      *Functional
	built  bool
	err    error
	dtype  tensor.Dtype
	attachSet
}

// NewSequential returns a model made of the given layers, in order. Nothing is
// checked until Build (or trainers.New, which builds the model).
func NewSequential(ls ...Layer) *Sequential {
	s := &Sequential{layers: append([]Layer(nil), ls...), dtype: tensor.Float32}
	s.SetName("sequential")
	return s
}

// Add appends a layer; it is an error once the model is built.
func (s *Sequential) Add(l Layer) error {
	if s.f != nil || s.err != nil {
		return errors.New("sequential: cannot add a layer to a built model")
	}
	s.layers = append(s.layers, l)
	return nil
}

// Type returns "Sequential".
func (s *Sequential) Type() string { return "Sequential" }

// Layers returns the layers in order.
func (s *Sequential) Layers() []Layer { return append([]Layer(nil), s.layers...) }

// Functional returns the functional model the Sequential runs (nil before Build).
func (s *Sequential) Functional() *Functional { return s.f }

// Build names unnamed layers (dense, dense_1, ...), infers every shape and
// creates every parameter, seeded by WithSeed (default DefaultSeed) in the dtype of
// WithDType (default float32). It runs once: later calls return the first result.
// Errors name the layer by index and name.
func (s *Sequential) Build(opts ...BuildOption) error {
	if s.built || s.err != nil {
		return s.err
	}
	if s.err = s.connect(nil); s.err != nil {
		return s.err
	}
	s.err = s.f.Build(opts...)
	if s.err != nil {
		s.err = errors.Wrap(s.err, "sequential")
	}
	s.built = s.err == nil
	s.dtype = s.f.DType()
	return s.err
}

// connect makes the functional model: the Input's tensor (or, applied as a layer
// without one, an input of the given spec) through every layer in order.
func (s *Sequential) connect(in *Spec) error {
	if s.f != nil {
		return nil
	}
	if len(s.layers) == 0 {
		return errors.New("sequential: no layers")
	}
	rest := s.layers
	var x *Tensor
	if first, ok := s.layers[0].(*InputLayer); ok {
		x = first.tensor()
		rest = s.layers[1:]
	} else if in != nil {
		x = NewInput(s.Name()+"_input", Shape(in.Shape...), DType{in.DType})
	} else {
		return errors.Errorf("sequential: layer 0 (%s) must be an Input giving the example shape", s.layers[0].Type())
	}
	for i, l := range rest {
		if _, ok := l.(*InputLayer); ok {
			return errors.Errorf("sequential: layer %d (%s) is an Input; only the first layer may be", i+len(s.layers)-len(rest), l.Name())
		}
		x = apply1(l, []*Tensor{x})
	}
	index := map[Layer]int{}
	for i, l := range s.layers {
		index[l] = i
	}
	f, err := NewModel([]*Tensor{x.inputOf()}, []*Tensor{x}, ModelName(s.Name()), modelOptionFunc(func(m *Functional) { m.index = index }))
	if err != nil {
		return errors.Wrap(err, "sequential")
	}
	s.f = f
	return nil
}

// BuildMulti builds the model as a layer of another model (see Functional).
func (s *Sequential) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	if s.err != nil {
		return nil, s.err
	}
	if len(in) != 1 {
		return nil, errors.Errorf("sequential %q takes one input, applied to %d", s.Name(), len(in))
	}
	if err := s.connect(&in[0]); err != nil {
		return nil, err
	}
	out, err := s.f.BuildMulti(ctx, in)
	if err != nil {
		return nil, err
	}
	s.built, s.dtype = true, s.f.DType()
	return out, nil
}

// ForwardMulti adds the model to g (see Functional).
func (s *Sequential) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	if !s.built {
		return nil, errors.New("sequential: model is not built (call Build)")
	}
	return s.f.ForwardMulti(g, xs)
}

// Apply calls the model as a layer on x and returns its output.
func (s *Sequential) Apply(x *Tensor) *Tensor { return apply1(s, []*Tensor{x}) }

// Built reports whether Build succeeded.
func (s *Sequential) Built() bool { return s.built }

// DType is the model's float type (Float32 unless built WithDType).
func (s *Sequential) DType() tensor.Dtype { return s.dtype }

// Inputs describes the one input (nil before Build).
func (s *Sequential) Inputs() []Spec {
	if s.f == nil {
		return nil
	}
	return s.f.Inputs()
}

// Outputs describes the one output (nil before Build).
func (s *Sequential) Outputs() []Spec {
	if s.f == nil {
		return nil
	}
	return s.f.Outputs()
}

// InputShape is the example shape of the Input layer (nil before Build).
func (s *Sequential) InputShape() []int {
	if s.f == nil {
		return nil
	}
	return s.f.InputShape()
}

// OutputShape is the example shape of the last layer (nil before Build).
func (s *Sequential) OutputShape() []int {
	if !s.built {
		return nil
	}
	return s.f.OutputShape()
}

// Params lists every layer's parameters, layer by layer.
func (s *Sequential) Params() []*graph.Param {
	var ps []*graph.Param
	for _, l := range s.layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Forward adds every layer to g in order, checking each input's shape against the
// shape inferred at Build. x has shape (batch, InputShape()...).
func (s *Sequential) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if !s.built {
		return nil, errors.New("sequential: model is not built (call Build)")
	}
	return s.f.Forward(g, x)
}

// shapes returns the output shape of each layer, in order.
func (s *Sequential) shapes() [][]int {
	out := make([][]int, len(s.layers))
	for i, l := range s.layers {
		if in, ok := l.(*InputLayer); ok {
			out[i] = in.Shape()
			continue
		}
		if b := l.LayerBase(); len(b.out) > 0 {
			out[i] = append([]int(nil), b.out[0].Shape...)
		}
	}
	return out
}

// uniqueName returns base, or base_N for the first N that is free, and marks it used.
func uniqueName(base string, used map[string]int) string {
	name := base
	for n := 1; used[name] > 0; n++ {
		name = fmt.Sprintf("%s_%d", base, n)
	}
	used[name]++
	return name
}

// snake turns a Keras class name into its layer name: "Dense" -> "dense",
// "InputLayer" -> "input_layer".
func snake(s string) string {
	// Keras' to_snake_case: an underscore before a capital that follows a lower-case
	// letter, or that starts a capitalized word (Conv2D -> conv2d, FM -> fm,
	// CrossNet -> cross_net, HTTPServer -> http_server).
	isUpper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	isLower := func(c byte) bool { return c >= 'a' && c <= 'z' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUpper(c) && i > 0 && (isLower(s[i-1]) || (i+1 < len(s) && isLower(s[i+1]))) && s[i-1] != '_' {
			b.WriteByte('_')
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func fmtShape(s []int) string {
	if s == nil {
		return "(unknown)"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// fmtBatchShape formats a shape whose first axis is the batch.
func fmtBatchShape(s []int) string {
	if len(s) == 0 {
		return "()"
	}
	return fmtShape(s[1:]) + fmt.Sprintf(" (batch %d)", s[0])
}

// recoverTo turns a panic inside Gorgonia into an error, so that none escapes the
// public API.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: internal error: %v", what, r)
	}
}
