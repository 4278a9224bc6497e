package onnx

import (
	"fmt"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Converter emits the ONNX nodes of one call of a layer and returns the names of
// the ONNX values holding the call's outputs, one per output of the layer, in
// order. It reads the layer (Context.Layer), its configuration (Context.Config),
// the names of the values holding its inputs (Context.Inputs) and their specs.
type Converter func(c *Context) ([]string, error)

// Context is what a Converter works with: the call being converted and the graph
// being written. All shapes are per example (no batch axis): the ONNX values have
// one more leading dimension, the dynamic batch. Names it makes are unique in the
// graph and start with the layer's name.
type Context struct {
	e       *exporter
	layer   layers.Layer
	inputs  []string
	in, out []layers.Spec
}

// Layer is the layer being converted.
func (c *Context) Layer() layers.Layer { return c.layer }

// Config is the layer's configuration as it is saved (layers.Configurable), or an
// empty map for a layer that has none.
func (c *Context) Config() map[string]interface{} {
	if cf, ok := c.layer.(layers.Configurable); ok {
		if m := cf.Config().Config; m != nil {
			return m
		}
	}
	return map[string]interface{}{}
}

// Inputs are the names of the ONNX values holding the call's inputs, in order.
func (c *Context) Inputs() []string { return append([]string(nil), c.inputs...) }

// InputSpecs describe the call's inputs (shape without the batch axis, dtype; a
// float input has the model's float type).
func (c *Context) InputSpecs() []layers.Spec { return cloneSpecs(c.in) }

// OutputSpecs describe the call's outputs as gokeras inferred them.
func (c *Context) OutputSpecs() []layers.Spec { return cloneSpecs(c.out) }

// Opset is the opset being written (13 to 17).
func (c *Context) Opset() int { return c.e.cfg.opset }

// DType is the model's float type (tensor.Float32 or tensor.Float64): float
// constants and initializers use it.
func (c *Context) DType() tensor.Dtype { return c.e.dtype }

// Fresh returns a new value name "<layer>/<hint>" (with a suffix _1, _2 when
// taken).
func (c *Context) Fresh(hint string) string { return c.e.fresh(c.layer.Name() + "/" + hint) }

// Node adds a node of the default domain running op on the values inputs ("" for
// an omitted optional input) and returns the names of its nOut fresh outputs.
func (c *Context) Node(op string, inputs []string, nOut int, attrs ...*pb.AttributeProto) []string {
	outs := make([]string, nOut)
	for i := range outs {
		outs[i] = c.Fresh(op)
	}
	c.e.g.Node = append(c.e.g.Node, &pb.NodeProto{
		Name: c.e.fresh(c.layer.Name() + "/" + op + "_node"), OpType: op,
		Input: append([]string(nil), inputs...), Output: outs, Attribute: attrs,
	})
	return outs
}

// Op adds a node of one output and returns its name.
func (c *Context) Op(op string, inputs []string, attrs ...*pb.AttributeProto) string {
	return c.Node(op, inputs, 1, attrs...)[0]
}

// Param returns the name of the initializer holding weight p (its name in the
// model, "dense/kernel"), adding it on first use: a shared layer's weights are
// written once.
func (c *Context) Param(p *graph.Param) (string, error) {
	if p == nil {
		return "", errors.Errorf("layer %q: weight is nil (layer not built?)", c.layer.Name())
	}
	return c.e.param(p, "", nil)
}

// ParamFunc returns the name of an initializer derived from weight p by fn (a
// kernel transposed to ONNX's layout, folded statistics): fn gets p's shape and
// values in row-major order and returns the new ones. The result is added once per
// (p, tag) and named "<weight>/<tag>".
func (c *Context) ParamFunc(p *graph.Param, tag string, fn func(shape []int, data []float64) ([]int, []float64, error)) (string, error) {
	if p == nil {
		return "", errors.Errorf("layer %q: weight is nil (layer not built?)", c.layer.Name())
	}
	if tag == "" || fn == nil {
		return "", errors.New("ParamFunc needs a tag and a function")
	}
	return c.e.param(p, tag, fn)
}

// Const adds an initializer of the model's float type with the given shape (nil or
// empty: a scalar) and values, and returns its name.
func (c *Context) Const(hint string, shape []int, data []float64) (string, error) {
	name := c.Fresh(hint)
	t, err := floatTensor(name, c.e.dtype, shape, data)
	if err != nil {
		return "", err
	}
	c.e.g.Initializer = append(c.e.g.Initializer, t)
	return name, nil
}

// Scalar adds a scalar initializer of the model's float type.
func (c *Context) Scalar(hint string, v float64) string {
	name, _ := c.Const(hint, nil, []float64{v}) // a scalar cannot fail
	return name
}

// Ints adds a 1-D INT64 initializer (shapes, axes, pads) and returns its name.
func (c *Context) Ints(hint string, vs ...int) string {
	name := c.Fresh(hint)
	is := make([]int64, len(vs))
	for i, v := range vs {
		is[i] = int64(v)
	}
	c.e.g.Initializer = append(c.e.g.Initializer, int64Tensor(name, nil, is))
	return name
}

// Activation applies the gokeras activation of the given name ("" or "linear":
// none: x itself is returned) to value x and returns the result's name (softmax
// acts on the last axis).
func (c *Context) Activation(name, x string) (string, error) {
	return activation(c, name, x)
}

// Convert converts layer l (a sub-layer of a wrapper such as Residual, or any
// layer or model) applied to the given values; its specs are the ones it was built
// for (layers.Base.BuiltSpecs).
func (c *Context) Convert(l layers.Layer, inputs []string) ([]string, error) {
	in, out := l.LayerBase().BuiltSpecs()
	if in == nil {
		return nil, errors.Errorf("layer %q (%s) is not built", l.Name(), l.Type())
	}
	return c.e.convertCall(l, inputs, in, out)
}

func cloneSpecs(ss []layers.Spec) []layers.Spec {
	out := make([]layers.Spec, len(ss))
	for i, s := range ss {
		s.Shape = append([]int(nil), s.Shape...)
		out[i] = s
	}
	return out
}

// intsOf reads an integer list of a layer configuration ([]int, [2]int, []int64,
// []interface{} of numbers).
func intsOf(v interface{}) ([]int, error) {
	switch t := v.(type) {
	case []int:
		return append([]int(nil), t...), nil
	case []int64:
		out := make([]int, len(t))
		for i, x := range t {
			out[i] = int(x)
		}
		return out, nil
	case []interface{}:
		out := make([]int, len(t))
		for i, x := range t {
			n, err := intOf(x)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case int, int64, float64:
		n, _ := intOf(t)
		return []int{n}, nil
	}
	return nil, errors.Errorf("%v (%T) is not a list of integers", v, v)
}

func intOf(v interface{}) (int, error) {
	switch t := v.(type) {
	case int:
		return t, nil
	case int64:
		return int(t), nil
	case int32:
		return int(t), nil
	case float64:
		if t == float64(int(t)) {
			return int(t), nil
		}
	}
	return 0, errors.Errorf("%v (%T) is not an integer", v, v)
}

// IntConfig reads an integer setting of the layer's configuration.
func (c *Context) IntConfig(key string) (int, error) {
	v, ok := c.Config()[key]
	if !ok {
		return 0, errors.Errorf("configuration has no %q", key)
	}
	n, err := intOf(v)
	return n, errors.Wrapf(err, "configuration %q", key)
}

// IntsConfig reads an integer-list setting of the layer's configuration.
func (c *Context) IntsConfig(key string) ([]int, error) {
	v, ok := c.Config()[key]
	if !ok {
		return nil, errors.Errorf("configuration has no %q", key)
	}
	is, err := intsOf(v)
	return is, errors.Wrapf(err, "configuration %q", key)
}

// StringConfig reads a string setting ("" when absent).
func (c *Context) StringConfig(key string) string {
	s, _ := c.Config()[key].(string)
	return s
}

// FloatConfig reads a number setting (def when absent).
func (c *Context) FloatConfig(key string, def float64) float64 {
	switch t := c.Config()[key].(type) {
	case float64:
		return t
	case float32:
		return float64(t)
	case int:
		return float64(t)
	}
	return def
}

// BoolConfig reads a boolean setting (def when absent).
func (c *Context) BoolConfig(key string, def bool) bool {
	if b, ok := c.Config()[key].(bool); ok {
		return b
	}
	return def
}

func (c *Context) String() string {
	return fmt.Sprintf("layer %q (%s)", c.layer.Name(), c.layer.Type())
}

// ConstAs is Const in float type dt (tensor.Float32 or tensor.Float64) whatever
// the model's: for comparisons with inputs of another type.
func (c *Context) ConstAs(hint string, dt tensor.Dtype, shape []int, data []float64) (string, error) {
	name := c.Fresh(hint)
	t, err := floatTensor(name, dt, shape, data)
	if err != nil {
		return "", err
	}
	c.e.g.Initializer = append(c.e.g.Initializer, t)
	return name, nil
}

// Cast converts value x to dtype dt (any dtype with an ONNX element type).
func (c *Context) Cast(x string, dt tensor.Dtype) (string, error) {
	et, err := elemType(dt)
	if err != nil {
		return "", err
	}
	return c.Op("Cast", []string{x}, AttrInt("to", int(et))), nil
}
