package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// tensorRef names one tensor of a functional model as Keras' config does: the
// producing layer, the index of its call within the model, the output index. It is
// written as a JSON array ["dense", 0, 0].
type tensorRef struct {
	Layer       string
	Node, Index int
}

// MarshalJSON writes [layer, node, index].
func (r tensorRef) MarshalJSON() ([]byte, error) {
	return json.Marshal([]interface{}{r.Layer, r.Node, r.Index})
}

// UnmarshalJSON reads [layer, node, index].
func (r *tensorRef) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 3 {
		return errors.Errorf("tensor reference %s is not [layer, node, index]", b)
	}
	if err := json.Unmarshal(raw[0], &r.Layer); err != nil {
		return errors.Wrapf(err, "tensor reference %s: layer name", b)
	}
	if err := json.Unmarshal(raw[1], &r.Node); err != nil {
		return errors.Wrapf(err, "tensor reference %s: node index", b)
	}
	if err := json.Unmarshal(raw[2], &r.Index); err != nil {
		return errors.Wrapf(err, "tensor reference %s: tensor index", b)
	}
	if r.Node < 0 || r.Index < 0 {
		return errors.Errorf("tensor reference %s has a negative index", b)
	}
	return nil
}

// functionalLayer is one layer of a functional config: its own config and the
// inbound tensors of each of its calls.
type functionalLayer struct {
	LayerConfig
	InboundNodes [][]tensorRef `json:"inbound_nodes"`
}

// functionalConfig is the architecture of a functional model, in Keras' shape.
type functionalConfig struct {
	Class        string            `json:"class_name"`
	Name         string            `json:"name"`
	DType        string            `json:"dtype,omitempty"`
	Layers       []functionalLayer `json:"layers"`
	InputLayers  []tensorRef       `json:"input_layers"`
	OutputLayers []tensorRef       `json:"output_layers"`
}

// functionalConfig describes the model's layers and their connections.
func (m *Functional) functionalConfig() (functionalConfig, error) {
	fc := functionalConfig{Class: "Functional", Name: m.Name(), DType: m.dtype.String()}
	nodeIndex := map[*node]int{}
	count := map[Layer]int{}
	for _, n := range m.nodes {
		nodeIndex[n] = count[n.layer]
		count[n.layer]++
	}
	ref := func(t *Tensor) tensorRef { return tensorRef{t.Layer().Name(), nodeIndex[t.node], t.index} }
	entry := map[Layer]int{}
	for _, l := range m.layers {
		lc, err := configOf(l)
		if err != nil {
			return fc, err
		}
		entry[l] = len(fc.Layers)
		fc.Layers = append(fc.Layers, functionalLayer{LayerConfig: lc, InboundNodes: [][]tensorRef{}})
	}
	for _, n := range m.nodes {
		if len(n.in) == 0 {
			continue
		}
		refs := make([]tensorRef, len(n.in))
		for i, x := range n.in {
			refs[i] = ref(x)
		}
		e := &fc.Layers[entry[n.layer]]
		e.InboundNodes = append(e.InboundNodes, refs)
	}
	for _, t := range m.inputs {
		fc.InputLayers = append(fc.InputLayers, ref(t))
	}
	for _, t := range m.outputs {
		fc.OutputLayers = append(fc.OutputLayers, ref(t))
	}
	return fc, nil
}

// configOf returns a layer's config, or an error for a layer that cannot be saved
// (one without a Config method, also inside a model applied as a layer).
func configOf(l Layer) (LayerConfig, error) {
	switch m := l.(type) {
	case *Functional:
		return m.config()
	case *Sequential:
		return m.config()
	case *customLayer:
		return configOf(m.SingleLayer)
	}
	c, ok := l.(Configurable)
	if !ok {
		return LayerConfig{}, errors.Errorf("layer %s (%s) has no Config method, so it cannot be saved", l.Name(), l.Type())
	}
	return c.Config(), nil
}

// Config describes the model as a layer of another model: its layers and their
// connections, as Keras writes a nested functional model. A layer that cannot be
// saved is named under "error" (Save reports it).
func (m *Functional) Config() LayerConfig {
	c, err := m.config()
	if err != nil {
		return LayerConfig{Class: "Functional", Name: m.Name(), Config: map[string]interface{}{"error": err.Error()}}
	}
	return c
}

func (m *Functional) config() (LayerConfig, error) {
	fc, err := m.functionalConfig()
	if err != nil {
		return LayerConfig{}, errors.Wrapf(err, "model %q", m.Name())
	}
	c := map[string]interface{}{}
	b, err := json.Marshal(fc)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return LayerConfig{}, errors.Wrapf(err, "model %q", m.Name())
	}
	delete(c, "class_name")
	delete(c, "dtype")
	return LayerConfig{Class: "Functional", Name: m.Name(), Config: c}, nil
}

// Config describes the model as a layer of another model: its layers in order. A
// layer that cannot be saved is named under "error" (Save reports it).
func (s *Sequential) Config() LayerConfig {
	c, err := s.config()
	if err != nil {
		return LayerConfig{Class: "Sequential", Name: s.Name(), Config: map[string]interface{}{"error": err.Error()}}
	}
	return c
}

func (s *Sequential) config() (LayerConfig, error) {
	var ls []interface{}
	for i, l := range s.layers {
		lc, err := configOf(l)
		if err != nil {
			return LayerConfig{}, errors.Wrapf(err, "model %q layer %d", s.Name(), i)
		}
		ls = append(ls, lc)
	}
	return LayerConfig{Class: "Sequential", Name: s.Name(), Config: map[string]interface{}{"layers": ls}}, nil
}

// registry rebuilds layers from their configs: the classes of this package, models
// nested as layers, and the custom classes given to Load.
type registry struct {
	custom map[string]LayerFactory
	depth  int
}

// maxNesting bounds how deeply models may be nested in a file.
const maxNesting = 64

func (r registry) layer(c LayerConfig) (Layer, error) {
	if f, ok := r.custom[c.Class]; ok {
		l, err := f(c)
		if err == nil && l == nil {
			err = errors.Errorf("custom layer factory for %q returned no layer", c.Class)
		}
		return l, err
	}
	switch c.Class {
	case "Functional", "Sequential":
		if r.depth >= maxNesting {
			return nil, errors.Errorf("layer %q: models nested more than %d deep", c.Name, maxNesting)
		}
		b, err := json.Marshal(c.Config)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %q (%s)", c.Name, c.Class)
		}
		inner := registry{custom: r.custom, depth: r.depth + 1}
		if c.Class == "Sequential" {
			var mc modelConfig
			if err := json.Unmarshal(b, &mc); err != nil {
				return nil, errors.Wrapf(err, "layer %q (Sequential)", c.Name)
			}
			mc.Class, mc.Name = "Sequential", c.Name
			return inner.sequential(mc)
		}
		var fc functionalConfig
		if err := json.Unmarshal(b, &fc); err != nil {
			return nil, errors.Wrapf(err, "layer %q (Functional)", c.Name)
		}
		fc.Class, fc.Name = "Functional", c.Name
		return inner.functional(fc)
	}
	l, err := builtinLayer(c)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, errors.Errorf("layer %q has unknown class %q (known: %s; pass others with WithCustomLayer)", c.Name, c.Class, knownClasses(r.custom))
	}
	return l, nil
}

// sequential rebuilds an unbuilt Sequential.
func (r registry) sequential(mc modelConfig) (*Sequential, error) {
	ls := make([]Layer, 0, len(mc.Layers))
	for i, lc := range mc.Layers {
		l, err := r.layer(lc)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		ls = append(ls, l)
	}
	m := NewSequential(ls...)
	if mc.Name != "" {
		m.SetName(mc.Name)
	}
	return m, nil
}

// functional rebuilds an unbuilt functional model: every layer, then every call in
// an order where its inputs exist, each layer's calls in their saved order.
func (r registry) functional(fc functionalConfig) (*Functional, error) {
	type entry struct {
		l     Layer
		cfg   functionalLayer
		made  [][]*Tensor // outputs of each call made so far
		input bool
	}
	entries := make([]*entry, 0, len(fc.Layers))
	byName := map[string]*entry{}
	calls := 0
	for i, lc := range fc.Layers {
		if _, dup := byName[lc.Name]; dup || lc.Name == "" {
			return nil, errors.Errorf("layer %d: name %q is empty or used twice", i, lc.Name)
		}
		e := &entry{cfg: lc}
		if lc.Class == "InputLayer" {
			t, err := inputFromConfig(lc.LayerConfig)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d", i)
			}
			e.l, e.input, e.made = t.Layer(), true, [][]*Tensor{{t}}
		} else {
			l, err := r.layer(lc.LayerConfig)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d", i)
			}
			e.l = l
			calls += len(lc.InboundNodes)
		}
		entries = append(entries, e)
		byName[lc.Name] = e
	}
	lookup := func(ref tensorRef) (*Tensor, bool, error) {
		e, ok := byName[ref.Layer]
		if !ok {
			return nil, false, errors.Errorf("reference to unknown layer %q", ref.Layer)
		}
		if ref.Node >= len(e.made) {
			if ref.Node >= len(e.cfg.InboundNodes) && !e.input {
				return nil, false, errors.Errorf("reference to call %d of layer %q, which has %d", ref.Node, ref.Layer, len(e.cfg.InboundNodes))
			}
			return nil, false, nil
		}
		outs := e.made[ref.Node]
		if ref.Index >= len(outs) {
			return nil, false, errors.Errorf("reference to output %d of layer %q, which has %d", ref.Index, ref.Layer, len(outs))
		}
		return outs[ref.Index], true, nil
	}
	// Make every call once its inputs exist: a worklist of layers, each waiting on
	// the one call it needs next, so that the work is linear in the number of
	// calls and references whatever order the file lists the layers in.
	type callKey struct {
		e    *entry
		node int
	}
	waiting := map[callKey][]*entry{}
	cursor := map[*entry]int{} // references of the next call already made
	queue := make([]*entry, 0, len(entries))
	for _, e := range entries {
		if !e.input && len(e.cfg.InboundNodes) > 0 {
			queue = append(queue, e)
		}
	}
	done := 0
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		for k := len(e.made); k < len(e.cfg.InboundNodes); k++ {
			refs := e.cfg.InboundNodes[k]
			blocked := false
			for i := cursor[e]; i < len(refs); i++ {
				_, ok, err := lookup(refs[i])
				if err != nil {
					return nil, errors.Wrapf(err, "layer %q call %d", e.cfg.Name, k)
				}
				if !ok {
					p := byName[refs[i].Layer]
					key := callKey{p, refs[i].Node}
					waiting[key] = append(waiting[key], e)
					blocked = true
					break
				}
				cursor[e] = i + 1
			}
			if blocked {
				break
			}
			xs := make([]*Tensor, len(refs))
			for i, ref := range refs {
				xs[i], _, _ = lookup(ref)
			}
			e.made = append(e.made, Apply(e.l, xs...))
			cursor[e] = 0
			done++
			key := callKey{e, k}
			queue = append(queue, waiting[key]...)
			delete(waiting, key)
		}
	}
	if done < calls {
		return nil, errors.New("the layer calls cannot be ordered: some call's input is never made (a cycle or a missing layer)")
	}
	resolve := func(what string, refs []tensorRef) ([]*Tensor, error) {
		out := make([]*Tensor, len(refs))
		for i, ref := range refs {
			t, ok, err := lookup(ref)
			if err == nil && !ok {
				err = errors.Errorf("%s %d (%s) is never made", what, i, ref.Layer)
			}
			if err != nil {
				return nil, errors.Wrap(err, what)
			}
			out[i] = t
		}
		return out, nil
	}
	ins, err := resolve("input", fc.InputLayers)
	if err != nil {
		return nil, err
	}
	outs, err := resolve("output", fc.OutputLayers)
	if err != nil {
		return nil, err
	}
	return NewModel(ins, outs, ModelName(fc.Name))
}

// inputFromConfig rebuilds a functional model's input.
func inputFromConfig(c LayerConfig) (*Tensor, error) {
	rd := cfgReader{c: c}
	shape := rd.ints("shape")
	var opts []InputOption
	opts = append(opts, Shape(shape...))
	if _, ok := c.Config["dtype"]; ok {
		switch dt := rd.str("dtype"); dt {
		case "int32":
			opts = append(opts, Int32)
		case "int64":
			opts = append(opts, Int64)
		case "string":
			opts = append(opts, String)
		case "float32", "float64", "float":
		default:
			return nil, errors.Errorf("input %q: dtype %q is not supported", c.Name, dt)
		}
	}
	if rd.err != nil {
		return nil, errors.Wrapf(rd.err, "input %q", c.Name)
	}
	variable, err := variableStepsFromConfig(c)
	if err != nil {
		return nil, errors.Wrapf(err, "input %q", c.Name)
	}
	t := NewInput(c.Name, opts...)
	if variable {
		t = t.WithVariableSteps()
	}
	return t, t.Err()
}

// dtypeName is the name a config stores for an input dtype ("" for the model's
// float type).
func dtypeName(dt tensor.Dtype) string {
	if dt.Type == nil || isFloatDType(dt) {
		return ""
	}
	return fmt.Sprint(dt)
}
