package layers

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Functional is a model made of layers applied to symbolic tensors (Keras'
// functional API): several inputs of any dtype, several outputs, shared layers, and
// merges. Make one with NewModel; it is also a layer, so a model can be applied
// inside another (Apply). Sequential builds one of these.
type Functional struct {
	Base
	inputs, outputs []*Tensor
	outNames        []string
	nodes           []*node // every call in topological order, inputs first
	layers          []Layer // every layer once, in order of first call
	built           bool
	err             error
	dtype           tensor.Dtype
	// index numbers the layers of a Sequential in errors ("layer 1 (dense)").
	index map[Layer]int
	attachSet
}

// ModelOption sets an optional property of NewModel.
type ModelOption interface{ applyModel(*Functional) }

type modelOptionFunc func(*Functional)

func (f modelOptionFunc) applyModel(m *Functional) { f(m) }

// ModelName names the model (default "functional"); a model applied inside another
// prefixes its weights with this name ("tower/dense/kernel").
func ModelName(name string) ModelOption {
	return modelOptionFunc(func(m *Functional) { m.SetName(name) })
}

// NewModel returns the model that computes outputs from inputs. It checks the graph
// of layer calls between them: every input is an Input (NewInput) given once, every
// output is reachable from the inputs alone (an Input a layer needs but that is not
// listed is an error naming it), every input is used, no layer call is part of a
// cycle, and layer names are unique (unnamed layers are named dense, dense_1, ...).
// Errors made while applying layers are reported here. Shapes are checked when the
// model is built (Build, or trainers.New).
func NewModel(inputs, outputs []*Tensor, opts ...ModelOption) (*Functional, error) {
	m := &Functional{dtype: tensor.Float32}
	m.SetName("functional")
	for _, o := range opts {
		if o != nil {
			o.applyModel(m)
		}
	}
	if err := m.connect(inputs, outputs); err != nil {
		return nil, m.wrap(err)
	}
	return m, nil
}

func (m *Functional) connect(inputs, outputs []*Tensor) error {
	if len(inputs) == 0 {
		return errors.New("no inputs")
	}
	if len(outputs) == 0 {
		return errors.New("no outputs")
	}
	isInput := map[*Tensor]bool{}
	for i, t := range inputs {
		if t == nil {
			return errors.Errorf("input %d is nil", i)
		}
		if t.err != nil {
			return t.err
		}
		if _, ok := t.Layer().(*InputLayer); !ok {
			return errors.Errorf("input %d (%s) is not an Input: make inputs with layers.NewInput", i, t)
		}
		if isInput[t] {
			return errors.Errorf("input %q is given twice", t.spec.Name)
		}
		isInput[t] = true
	}
	for i, t := range outputs {
		if t == nil {
			return errors.Errorf("output %d is nil", i)
		}
		if t.err != nil {
			return errors.Wrapf(t.err, "output %d", i)
		}
	}
	// Depth-first walk back from the outputs: post-order is a topological order.
	const (
		visiting = 1
		done     = 2
	)
	state := map[*node]int{}
	used := map[*Tensor]bool{}
	var order []*node
	var visit func(n *node, path []string) error
	visit = func(n *node, path []string) error {
		switch state[n] {
		case done:
			return nil
		case visiting:
			return errors.Errorf("the layer calls form a cycle through %v", append(path, n.layer.Name()))
		}
		state[n] = visiting
		if in, ok := n.layer.(*InputLayer); ok {
			t := n.out[0]
			if !isInput[t] {
				return errors.Errorf("input %q (shape %s), needed by %v, is not among the model's inputs", in.Name(), fmtShape(in.shape), path)
			}
			used[t] = true
		}
		for _, x := range n.in {
			if x.err != nil {
				return x.err
			}
			if err := visit(x.node, append(path, layerLabel(n.layer))); err != nil {
				return err
			}
		}
		state[n] = done
		order = append(order, n)
		return nil
	}
	for _, t := range outputs {
		if err := visit(t.node, nil); err != nil {
			return err
		}
	}
	for _, t := range inputs {
		if !used[t] {
			return errors.Errorf("input %q is not connected to any output", t.spec.Name)
		}
	}
	// Inputs first, in the given order, then the other calls in topological order.
	m.nodes = m.nodes[:0]
	for _, t := range inputs {
		m.nodes = append(m.nodes, t.node)
	}
	for _, n := range order {
		if _, ok := n.layer.(*InputLayer); !ok {
			m.nodes = append(m.nodes, n)
		}
	}
	seen := map[Layer]bool{}
	for _, n := range m.nodes {
		if !seen[n.layer] {
			seen[n.layer] = true
			m.layers = append(m.layers, n.layer)
		}
	}
	if err := m.nameLayers(); err != nil {
		return err
	}
	m.inputs = append([]*Tensor(nil), inputs...)
	m.outputs = append([]*Tensor(nil), outputs...)
	m.outNames = outputNames(m.outputs)
	for i, t := range m.inputs {
		t.spec.Name = t.Layer().Name()
		m.inputs[i] = t
	}
	return nil
}

// nameLayers names unnamed layers after their type (dense, dense_1, ...) and
// checks that no two layers share a name.
func (m *Functional) nameLayers() error {
	used := map[string]int{}
	owner := map[string]Layer{}
	for _, l := range m.layers {
		if l.Name() == "" {
			continue
		}
		if o, ok := owner[l.Name()]; ok && o != l {
			return errors.Errorf("two layers named %q (%s and %s): layer names must be unique", l.Name(), o.Type(), l.Type())
		}
		owner[l.Name()] = l
		used[l.Name()]++
	}
	for _, l := range m.layers {
		if l.Name() == "" {
			l.SetName(uniqueName(snake(l.Type()), used))
		}
	}
	return nil
}

// outputNames names each output after its layer; a layer with several outputs, or
// giving several of the model's outputs, adds _1, _2, ....
func outputNames(outs []*Tensor) []string {
	used := map[string]int{}
	names := make([]string, len(outs))
	for i, t := range outs {
		base := t.Layer().Name()
		if len(t.node.out) > 1 {
			base = fmt.Sprintf("%s_%d", base, t.index)
		}
		names[i] = uniqueName(base, used)
	}
	return names
}

// wrap prefixes an error with the model's name (a Sequential prefixes its own).
func (m *Functional) wrap(err error) error {
	if err == nil || m.index != nil {
		return err
	}
	return errors.Wrapf(err, "model %q", m.Name())
}

// label names a layer call in errors: "layer dense (Dense)", or for a Sequential
// "layer 1 (dense)".
func (m *Functional) label(l Layer) string {
	if i, ok := m.index[l]; ok {
		return fmt.Sprintf("layer %d (%s)", i, l.Name())
	}
	return fmt.Sprintf("layer %s (%s)", layerLabel(l), l.Type())
}

func layerLabel(l Layer) string {
	if l.Name() != "" {
		return l.Name()
	}
	return l.Type()
}

// Type returns "Functional".
func (m *Functional) Type() string { return "Functional" }

// Layers returns every layer once, in the order of their first call (inputs first).
func (m *Functional) Layers() []Layer { return append([]Layer(nil), m.layers...) }

// InputTensors returns the symbolic inputs given to NewModel.
func (m *Functional) InputTensors() []*Tensor { return append([]*Tensor(nil), m.inputs...) }

// OutputTensors returns the symbolic outputs given to NewModel.
func (m *Functional) OutputTensors() []*Tensor { return append([]*Tensor(nil), m.outputs...) }

func (m *Functional) outputCount() int { return len(m.outputs) }

// Apply calls the model as a layer on xs (one tensor per model input, in order) and
// returns its first output; ApplyN returns all of them.
func (m *Functional) Apply(xs ...*Tensor) *Tensor { return apply1(m, xs) }

// ApplyN calls the model as a layer on xs and returns every output.
func (m *Functional) ApplyN(xs ...*Tensor) []*Tensor { return Apply(m, xs...) }
