package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Limits of a model file, checked by Load before anything the file describes is
// made. A model file may come from anywhere: its architecture is checked against
// these limits and against its own tensor table before a layer is built, and every
// weight is compared with the file's tensor of that name before it is allocated, so
// that a small file cannot make Load allocate more than the file holds.
const (
	// MaxLoadLayers is the most layers a model file may describe, counting the
	// layers of nested models and Residual blocks.
	MaxLoadLayers = 10000
	// MaxLoadCalls is the most layer calls (Keras' inbound nodes) a model file may
	// describe, over all its layers.
	MaxLoadCalls = 100000
	// MaxLoadRefs is the most tensor references (the inputs of every call, the
	// inputs and outputs of every model) a model file may describe.
	MaxLoadRefs = 1000000
	// MaxLoadConfigBytes is the largest architecture (the JSON of the model's
	// config) a model file may hold: 16 MiB, some 30 times a 1,000-layer model.
	MaxLoadConfigBytes = 16 << 20
	// DefaultMaxActivationValues is how many values per example a tensor of a
	// loaded model may hold (an input, a layer's output, any tensor in between),
	// unless WithMaxActivationValues says otherwise: 2^28, that is 1 GiB of
	// float32 per example.
	DefaultMaxActivationValues = 1 << 28
	// maxActivationValues bounds WithMaxActivationValues: 2^31-1 values per
	// example, the most a tensor of a model file may hold.
	maxActivationValues = math.MaxInt32
	// maxLoadNameBytes bounds the bytes of every layer name of a file added up,
	// with the names Residual blocks prefix to their sub-layers' names.
	maxLoadNameBytes = 16 << 20
	// maxLoadNestedBytes bounds the bytes of the configs of nested models and
	// Residual blocks added up: each is decoded again for every model or block it
	// sits in, so a deep nest of large configs costs their size times the depth.
	maxLoadNestedBytes = 64 << 20
)

// WithMaxActivationValues sets how many values per example any tensor of the
// loaded model may hold (default DefaultMaxActivationValues, at most 2^31-1): a file
// whose inputs or layer outputs hold more is refused before a layer is built.
func WithMaxActivationValues(n int) LoadOption {
	return loadFunc(func(c *loadConfig) { c.maxActivation = n })
}

// archLimits are the limits a file's architecture is checked against.
type archLimits struct {
	layers, calls, refs, activation int
	nameBytes, nestedBytes          int64
}

func defaultArchLimits(maxActivation int) archLimits {
	return archLimits{layers: MaxLoadLayers, calls: MaxLoadCalls, refs: MaxLoadRefs, activation: maxActivation,
		nameBytes: maxLoadNameBytes, nestedBytes: maxLoadNestedBytes}
}

// rawLayer is a layer of an architecture as checkArchitecture reads it: its
// config stays raw, and is read only for the classes that hold layers.
type rawLayer struct {
	Class   string              `json:"class_name"`
	Name    string              `json:"name"`
	Config  json.RawMessage     `json:"config"`
	Inbound [][]json.RawMessage `json:"inbound_nodes"`
}

// rawModel is what checkArchitecture reads of a model's (or a Residual block's)
// config.
type rawModel struct {
	Layers   []rawLayer        `json:"layers"`
	Branch   []rawLayer        `json:"branch"`
	Shortcut []rawLayer        `json:"shortcut"`
	Inputs   []json.RawMessage `json:"input_layers"`
	Outputs  []json.RawMessage `json:"output_layers"`
}

// archError is an error already named by the layer where it arose.
type archError struct{ error }

func (e archError) Cause() error { return e.error }

// archWalk counts what an architecture describes.
type archWalk struct {
	lim                    archLimits
	layers, calls, refs    int
	nameBytes, nestedBytes int64
}

// checkArchitecture checks a model file's architecture JSON against lim before
// any layer is made: the number of layers, calls and tensor references, the
// nesting of models and Residual blocks (maxNesting), the sizes of names and
// nested configs, and the shape of every input (each dimension a positive integer,
// at most lim.activation values per example). Its cost is linear in the size of
// the JSON it reads, which lim.nestedBytes bounds.
func checkArchitecture(arch []byte, lim archLimits) error {
	if len(arch) > MaxLoadConfigBytes {
		return errors.Errorf("the architecture is %d bytes, more than the %d a model file may hold", len(arch), MaxLoadConfigBytes)
	}
	if d := jsonDepth(arch, maxJSONDepth); d > maxJSONDepth {
		return errors.Errorf("the architecture's JSON is nested more than %d deep (models and Residual blocks may be nested %d deep)", maxJSONDepth, maxNesting)
	}
	w := archWalk{lim: lim}
	return w.model(arch, 0, 0)
}

// maxJSONDepth bounds how deeply the JSON of an architecture may nest: a model or
// Residual block nested in another adds three levels ({"config": {"layers": [...).
const maxJSONDepth = 4*maxNesting + 64

// jsonDepth returns how deeply b's objects and arrays nest, stopping early once
// past max. It skips strings; it does not check the JSON otherwise.
func jsonDepth(b []byte, max int) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > deepest {
				if deepest = depth; deepest > max {
					return deepest
				}
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

func (w *archWalk) model(raw []byte, depth int, prefix int64) error {
	var m rawModel
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	w.refs += len(m.Inputs) + len(m.Outputs)
	for _, ls := range [][]rawLayer{m.Layers, m.Branch, m.Shortcut} {
		for i := range ls {
			if err := w.layer(&ls[i], depth, prefix); err != nil {
				if _, inner := err.(archError); inner && depth > 0 {
					return err // named by the innermost layer and the outermost one only
				}
				return archError{errors.Wrapf(err, "layer %q (%s)", ls[i].Name, ls[i].Class)}
			}
		}
	}
	if w.refs > w.lim.refs {
		return errors.Errorf("the architecture has more than %d tensor references", w.lim.refs)
	}
	return nil
}

func (w *archWalk) layer(l *rawLayer, depth int, prefix int64) error {
	if w.layers++; w.layers > w.lim.layers {
		return errors.Errorf("the architecture has more than %d layers (MaxLoadLayers)", w.lim.layers)
	}
	if w.calls += len(l.Inbound); w.calls > w.lim.calls {
		return errors.Errorf("the architecture has more than %d layer calls (MaxLoadCalls)", w.lim.calls)
	}
	for _, call := range l.Inbound {
		if w.refs += len(call); w.refs > w.lim.refs {
			return errors.Errorf("the architecture has more than %d tensor references (MaxLoadRefs)", w.lim.refs)
		}
	}
	name := prefix + int64(len(l.Name))
	if w.nameBytes += name; w.nameBytes > w.lim.nameBytes {
		return errors.Errorf("the layer names add up to more than %d bytes", w.lim.nameBytes)
	}
	switch l.Class {
	case "InputLayer":
		return w.input(l.Config)
	case "Sequential", "Functional", "Residual":
		if depth+1 > maxNesting {
			return errors.Errorf("models and Residual blocks nested more than %d deep", maxNesting)
		}
		if w.nestedBytes += int64(len(l.Config)); w.nestedBytes > w.lim.nestedBytes {
			return errors.Errorf("the configs of nested models and Residual blocks add up to more than %d bytes", w.lim.nestedBytes)
		}
		if len(l.Config) == 0 {
			return nil // reported when the layer is made
		}
		if l.Class == "Residual" {
			// Its sub-layers are named "<block>/<layer>".
			return w.model(l.Config, depth+1, name+1)
		}
		return w.model(l.Config, depth+1, 0)
	}
	return nil
}

// input checks an input's shape: positive integer dimensions, at most
// lim.activation values per example.
func (w *archWalk) input(raw json.RawMessage) error {
	var c struct {
		Shape []float64 `json:"shape"`
	}
	if len(raw) == 0 {
		return nil // reported when the layer is made
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return errors.Wrap(err, "config \"shape\"")
	}
	dims := make([]int, len(c.Shape))
	for i, d := range c.Shape {
		if d < 1 || d != math.Trunc(d) || d > float64(w.lim.activation) {
			return errors.Errorf("input shape %s: dimension %s is not an integer in [1, %d] (WithMaxActivationValues)",
				fmtFloats(c.Shape), strconv.FormatFloat(d, 'f', -1, 64), w.lim.activation)
		}
		dims[i] = int(d)
	}
	return checkValues("input shape", dims, w.lim.activation)
}

func fmtFloats(v []float64) string {
	s := "("
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += strconv.FormatFloat(x, 'f', -1, 64)
	}
	return s + ")"
}

// valuesIn multiplies dims, reporting false on overflow or a dimension < 1.
func valuesIn(dims []int) (int, bool) {
	n := uint64(1)
	for _, d := range dims {
		if d < 1 {
			return 0, false
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return int(n), true
}

// checkValues checks that a per-example shape holds at most max values.
func checkValues(what string, dims []int, max int) error {
	for _, d := range dims {
		if d < 1 {
			return errors.Errorf("%s %s has a dimension < 1", what, fmtShape(dims))
		}
	}
	n, ok := valuesIn(dims)
	if ok && n <= max {
		return nil
	}
	held := "more than 2^63"
	if ok {
		held = strconv.Itoa(n)
	}
	return errors.Errorf("%s %s holds %s values per example, more than the %d a loaded model may have (WithMaxActivationValues)",
		what, fmtShape(dims), held, max)
}

// checkActivations checks every tensor of a built model (the inputs and outputs
// of every layer, inside nested models and Residual blocks too, and the work
// buffers of convolutions) against max values per example. Building infers shapes without allocating them, so this
// runs between Build and the first use of the model.
func checkActivations(m Model, max int) error {
	for _, s := range m.Inputs() {
		if err := checkValues(fmt.Sprintf("input %q shape", s.Name), s.Shape, max); err != nil {
			return err
		}
	}
	seen := map[Layer]bool{}
	var walk func(ls []Layer) error
	walk = func(ls []Layer) error {
		for _, l := range ls {
			if l == nil || seen[l] {
				continue
			}
			seen[l] = true
			b := l.LayerBase()
			for _, specs := range [][]Spec{b.in, b.out} {
				for _, s := range specs {
					if err := checkValues(fmt.Sprintf("layer %s: shape", layerLabel(l)), s.Shape, max); err != nil {
						return err
					}
				}
			}
			if err := checkConvWork(l, max); err != nil {
				return err
			}
			var err error
			switch x := l.(type) {
			case Model:
				err = walk(x.Layers())
			case *ResidualLayer:
				if err = walk(x.Branch()); err == nil {
					err = walk(x.Shortcut())
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(m.Layers())
}

// checkConvWork checks the per-example buffers a convolution works in, which
// may be far larger than its input and output: the im2col matrix (kernel height
// x width x channels values for each output pixel) and the padded input.
func checkConvWork(l Layer, max int) error {
	c, ok := l.(*Conv2DLayer)
	if !ok {
		return nil
	}
	b := c.LayerBase()
	if len(b.in) != 1 || len(b.out) != 1 || len(b.in[0].Shape) != 3 || len(b.out[0].Shape) != 3 {
		return nil
	}
	in, out := b.in[0].Shape, b.out[0].Shape
	who := layerLabel(l)
	if err := checkValues(fmt.Sprintf("layer %s: its im2col matrix (kernel height, width, channels, output height, width)", who),
		[]int{c.size[0], c.size[1], in[2], out[0], out[1]}, max); err != nil {
		return err
	}
	pad := func(i int) int { return in[i] + c.spec.Dilation[i]*(c.size[i]-1) }
	return checkValues(fmt.Sprintf("layer %s: its padded input", who), []int{pad(0), pad(1), in[2]}, max)
}

// weightPlan is the tensor table of the file being loaded: the weights a layer
// may make while the file's model is built.
type weightPlan map[string]*tensor.Dense

// checkFileWeight is AddWeight's check, before anything is allocated, of a weight
// of a model being loaded (Load builds it with withWeightPlan): the file must hold a
// tensor of its name, dtype and shape. Outside Load it passes.
func (c BuildContext) checkFileWeight(owner Layer, name string, shape []int) error {
	if c.plan == nil {
		return nil
	}
	t, ok := c.plan[name]
	if !ok {
		return errors.Errorf("the file has no tensor %q (shape %s)", name, fmtShape(shape))
	}
	if t.Dtype() != c.DType || !equalShapes([]int(t.Shape()), shape) {
		return errors.Errorf("tensor %q is %v %v, the model needs %v %s", name, t.Dtype(), t.Shape(), c.DType, fmtShape(shape))
	}
	return nil
}

// withWeightPlan makes Build check every weight against the tensor table of the file
// being loaded before allocating it (see checkFileWeight).
func withWeightPlan(plan weightPlan) BuildOption {
	return buildOptionFunc(func(c *buildConfig) { c.plan = plan })
}
