package layers

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Spec describes one tensor of a model: its name (an input's or output's name, ""
// elsewhere), its per-example shape (no batch axis) and its dtype.
type Spec struct {
	Name  string
	Shape []int
	DType tensor.Dtype
}

// String formats the spec as "name (d1, d2) dtype".
func (s Spec) String() string {
	dt := "float"
	if s.DType.Type != nil {
		dt = s.DType.String()
	}
	if s.Name == "" {
		return fmtShape(s.Shape) + " " + dt
	}
	return fmt.Sprintf("%q %s %s", s.Name, fmtShape(s.Shape), dt)
}

func (s Spec) clone() Spec {
	s.Shape = append([]int(nil), s.Shape...)
	return s
}

// isFloatDType reports whether dt is the model's float type placeholder (the zero
// Dtype) or a float type.
func isFloatDType(dt tensor.Dtype) bool {
	return dt.Type == nil || dt == tensor.Float32 || dt == tensor.Float64
}

// isIntDType reports whether dt is an integer type an input may have.
func isIntDType(dt tensor.Dtype) bool {
	return dt == tensor.Int32 || dt == tensor.Int64 || dt == tensor.Int
}

// Tensor is a symbolic tensor of a functional model: an Input, or the output of a
// layer applied to tensors (Apply). It carries its shape (known for inputs; known for
// every tensor once the model is built) and dtype. An error made while applying a
// layer (a bad argument) travels with the tensor and is reported by NewModel.
type Tensor struct {
	node  *node
	index int // which output of node
	spec  Spec
	err   error
}

// node is one call of a layer: its inbound tensors and its outputs (Keras' Node).
type node struct {
	layer Layer
	in    []*Tensor
	out   []*Tensor
}

// Shape is the per-example shape (no batch axis): an Input's declared shape, or nil
// for a layer's output until a model holding it is built.
func (t *Tensor) Shape() []int {
	if t == nil {
		return nil
	}
	return append([]int(nil), t.spec.Shape...)
}

// DType is the tensor's dtype: the zero Dtype stands for the model's float type
// until the model is built.
func (t *Tensor) DType() tensor.Dtype {
	if t == nil {
		return tensor.Dtype{}
	}
	return t.spec.DType
}

// Layer is the layer that produced the tensor (an *InputLayer for inputs).
func (t *Tensor) Layer() Layer {
	if t == nil || t.node == nil {
		return nil
	}
	return t.node.layer
}

// Err is the error made while applying the layer that produced t, if any.
func (t *Tensor) Err() error {
	if t == nil {
		return errors.New("nil tensor")
	}
	return t.err
}

// String describes the tensor: the producing layer and its spec.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil tensor>"
	}
	who := "?"
	if l := t.Layer(); l != nil {
		who = l.Name()
		if who == "" {
			who = l.Type()
		}
	}
	return fmt.Sprintf("Tensor(%s[%d], shape=%s)", who, t.index, shapeOrUnknown(t.spec.Shape))
}

func shapeOrUnknown(s []int) string {
	if s == nil {
		return "(unknown until built)"
	}
	return fmtShape(s)
}

// NewInput returns a symbolic input of a functional model: examples named name of
// the given shape (no batch axis), of the model's float type; give an InputOption
// dtype (Int32, Int64) for integer ids, String for raw categories (which only a
// StringLookup reads). Name must be unique within a model; it is
// the key of this input in named data (Fit, Predict, serving).
//
//	ids := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
//	feats := layers.NewInput("features", layers.Shape(13))
func NewInput(name string, opts ...InputOption) *Tensor {
	var c inputConfig
	for _, o := range opts {
		if o != nil {
			o.applyInput(&c)
		}
	}
	l := Input(c.shape...)
	l.SetName(name)
	l.dtype = c.dtype
	if l.err == nil && name == "" {
		l.err = errors.New("input: no name given")
	}
	if l.err == nil && !isFloatDType(c.dtype) && !isIntDType(c.dtype) && c.dtype != tensor.String {
		l.err = errors.Errorf("input %q: dtype %v is not supported (float32, float64, int32, int64, string)", name, c.dtype)
	}
	return l.tensor()
}

// InputOption sets the shape or dtype of NewInput.
type InputOption interface{ applyInput(*inputConfig) }

type inputConfig struct {
	shape []int
	dtype tensor.Dtype
}

type shapeOption []int

func (s shapeOption) applyInput(c *inputConfig) { c.shape = append([]int(nil), s...) }

// Shape is the per-example shape of NewInput (no batch axis): Shape(13) for
// vectors, Shape(28, 28, 1) for images. Required.
func Shape(dims ...int) InputOption { return shapeOption(dims) }

// DType is an input's dtype option: Float32, Float64, Int32, Int64, String.
type DType struct{ dt tensor.Dtype }

func (d DType) applyInput(c *inputConfig) { c.dtype = d.dt }

// Input dtypes for NewInput. Without one an input has the model's float type
// (float32 unless the model is built WithDType(tensor.Float64)).
var (
	Float32 = DType{tensor.Float32}
	Float64 = DType{tensor.Float64}
	Int32   = DType{tensor.Int32}
	Int64   = DType{tensor.Int64}
	// String inputs hold raw categories ("red", "NY"): data of tensor.String
	// tensors, which a StringLookup layer turns into ids inside the model.
	String = DType{tensor.String}
)

// Apply calls layer l on the given tensors and returns its outputs. Nothing is built:
// the call is recorded (Keras' inbound node), and the model that holds it builds l
// once, so a layer applied twice shares its weights. Errors (a nil tensor, a tensor
// carrying an error, a layer that takes one input given several) travel with the
// outputs and are reported by NewModel. The layers of this package have an Apply
// method that calls this; custom layers use this function.
func Apply(l Layer, xs ...*Tensor) []*Tensor {
	outs := 1
	if f, ok := l.(interface{ outputCount() int }); ok {
		outs = f.outputCount()
	}
	n := &node{layer: l, in: append([]*Tensor(nil), xs...)}
	n.out = make([]*Tensor, outs)
	for i := range n.out {
		n.out[i] = &Tensor{node: n, index: i}
	}
	fail := func(err error) []*Tensor {
		for _, t := range n.out {
			t.err = err
		}
		return n.out
	}
	if l == nil {
		return fail(errors.New("apply: nil layer"))
	}
	who := l.Type()
	if l.Name() != "" {
		who = fmt.Sprintf("%s (%s)", l.Name(), l.Type())
	}
	if len(xs) == 0 {
		return fail(errors.Errorf("layer %s: applied to no tensors", who))
	}
	for i, x := range xs {
		if x == nil {
			return fail(errors.Errorf("layer %s: input %d is a nil tensor", who, i))
		}
		if x.err != nil {
			return fail(x.err)
		}
	}
	switch l.(type) {
	case MultiLayer:
	case SingleLayer:
		if len(xs) != 1 {
			return fail(errors.Errorf("layer %s takes one input, applied to %d", who, len(xs)))
		}
	default:
		return fail(errors.Errorf("layer %s (%T) has neither Build/Forward nor BuildMulti/ForwardMulti", who, l))
	}
	b := l.LayerBase()
	b.nodes = append(b.nodes, n)
	return n.out
}

// apply1 is Apply for layers of one output.
func apply1(l Layer, xs []*Tensor) *Tensor { return Apply(l, xs...)[0] }

func fmtSpecs(ss []Spec) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// inputOf returns the one Input tensor t depends on, following first inputs back
// (used by Sequential, whose chain has exactly one).
func (t *Tensor) inputOf() *Tensor {
	for t != nil && t.node != nil {
		if _, ok := t.node.layer.(*InputLayer); ok {
			return t
		}
		if len(t.node.in) == 0 {
			return nil
		}
		t = t.node.in[0]
	}
	return t
}
